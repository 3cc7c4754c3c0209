-- Registry households of each year's snapshot: the household's attributes as its head's
-- row (户主; the smallest id_number when there is none, rule R17) states them, how many
-- rows and heads it has, and the policy lines that apply where it lives.
{{ config(**year_incremental()) }}
{#- the 户主 first, then the other members, then those of unknown relation; by ID number -#}
{%- set head_first = ["coalesce(cast(relation <> '户主' as integer), 2)", 'id_number'] %}
with

snapshot_rows as (
    select * from {{ ref('int_registry_snapshot_rows') }} where {{ in_years_to_build('year') }}
),

standards as (select * from {{ ref('int_area_standards') }}),

households as (
    select
        year,
        snapshot_date,
        household_id,
        count(*) as member_rows,
        count(*) filter (where relation = '户主') as heads,
        {{ first_by('village_code', head_first) }} as village_code,
        {{ first_by('area_code', head_first) }} as area_code,
        {{ first_by('county_code', head_first) }} as county_code,
        {{ first_by('is_known_village', head_first) }} as is_known_village,
        {{ first_by('household_type', head_first) }} as household_type,
        {{ first_by('per_capita_income', head_first) }} as per_capita_income,
        {{ first_by('identified_year', head_first) }} as identified_year,
        {{ first_by('poverty_status', head_first) }} as poverty_status,
        {{ first_by('exit_year', head_first) }} as exit_year,
        {{ first_by('housing_safe', head_first) }} as housing_safe,
        {{ first_by('water_safe', head_first) }} as water_safe
    from snapshot_rows
    group by year, snapshot_date, household_id
),

final as (
    select
        households.*,
        standards.poverty_line,
        standards.dibao_line,
        standards.monitoring_line,
        {{ year_build_columns('households.year') }}
    from households
    left join standards
        on standards.year = households.year and standards.area_code = households.area_code
)

select * from final
