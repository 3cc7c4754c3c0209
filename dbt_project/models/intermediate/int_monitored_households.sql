-- The households of each year's monitoring snapshot: their attributes as the head's row
-- (户主; the smallest ID number when there is none) states them, their members, and
-- whether any member is a registered person of Y (registered; else 档外, unregistered).
{%- set head_first = ["coalesce(cast(relation <> '户主' as integer), 2)", 'id_number'] %}
with

members as (select * from {{ ref('int_monitoring_members') }}),

standards as (select * from {{ ref('int_area_standards') }}),

households as (
    select
        year,
        snapshot_date,
        monitor_household_id,
        count(*) as members,
        count(registry_household_id) > 0 as is_registered,
        {{ first_by('village_code', head_first) }} as village_code,
        {{ first_by('area_code', head_first) }} as area_code,
        {{ first_by('county_code', head_first) }} as county_code,
        {{ first_by('category', head_first) }} as category,
        {{ first_by('per_capita_income', head_first) }} as per_capita_income,
        {{ first_by('included_date', head_first) }} as included_date,
        {{ first_by('eliminated_date', head_first) }} as eliminated_date,
        {{ first_by('is_active', head_first) }} as is_active,
        {{ first_by('is_eliminated', head_first) }} as is_eliminated
    from members
    group by year, snapshot_date, monitor_household_id
),

final as (
    select households.*, standards.monitoring_line
    from households
    left join standards
        on standards.year = households.year and standards.area_code = households.area_code
)

select * from final
