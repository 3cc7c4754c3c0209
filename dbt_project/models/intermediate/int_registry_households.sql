-- Registry households of each year's snapshot: the household's attributes as its head's
-- row (户主; the smallest id_number when there is none, rule R17) states them, how many
-- rows and heads it has, and the policy lines that apply where it lives.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    pre_hook="{{ delete_years_to_build() }}",
) }}
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
        first(village_code order by relation != '户主', id_number) as village_code,
        first(area_code order by relation != '户主', id_number) as area_code,
        first(county_code order by relation != '户主', id_number) as county_code,
        first(is_known_village order by relation != '户主', id_number) as is_known_village,
        first(household_type order by relation != '户主', id_number) as household_type,
        first(per_capita_income order by relation != '户主', id_number) as per_capita_income,
        first(identified_year order by relation != '户主', id_number) as identified_year,
        first(poverty_status order by relation != '户主', id_number) as poverty_status,
        first(exit_year order by relation != '户主', id_number) as exit_year
    from snapshot_rows
    group by year, snapshot_date, household_id
),

final as (
    select
        households.*,
        standards.poverty_line,
        standards.dibao_line,
        {{ year_build_columns('households.year') }}
    from households
    left join standards
        on standards.year = households.year and standards.area_code = households.area_code
)

select * from final
