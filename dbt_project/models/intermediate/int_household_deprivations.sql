-- 两不愁三保障 per registry household and year: the five Alkire-Foster indicators of
-- multidimensional_poverty, and the household's income as its head's row (户主; the
-- smallest id_number if a household has none, rule R17) states it. Members are the
-- registered persons (int_registry_persons, as int_person_programs carries them), so a
-- person in several households counts in one only. The one place a deprivation is
-- defined: the MPI marts and income_poverty_gap read it from here.
{{ config(**year_incremental()) }}
{#- the 户主 first, then the other members, then those of unknown relation; by ID number -#}
{%- set head_first = ["coalesce(cast(relation <> '户主' as integer), 2)", 'id_number'] %}
with

members as (
    select
        year,
        household_id,
        id_number,
        area_code,
        relation,
        per_capita_income,
        housing_safe,
        water_safe,
        education_eligible and not education_covered as education_gap,
        not medical_covered as health_gap
    from {{ ref('int_person_programs') }}
    where {{ in_years_to_build('year') }}
),

standards as (select * from {{ ref('int_area_standards') }}),

households as (
    select
        year,
        household_id,
        {{ first_by('per_capita_income', head_first) }} as per_capita_income,
        {{ first_by('area_code', head_first) }} as head_area_code,
        {{ first_by('housing_safe', head_first) }} as housing_safe,
        {{ first_by('water_safe', head_first) }} as water_safe,
        bool_or(education_gap) as deprived_education,
        bool_or(health_gap) as deprived_health
    from members
    group by year, household_id
),

final as (
    select
        households.year,
        households.household_id,
        households.per_capita_income,
        coalesce(households.per_capita_income < standards.poverty_line, false) as deprived_income,
        households.deprived_education,
        households.deprived_health,
        coalesce(not households.housing_safe, false) as deprived_housing,
        coalesce(not households.water_safe, false) as deprived_water
    from households
    left join standards
        on standards.year = households.year and standards.area_code = households.head_area_code
)

select
    *,
    cast(deprived_income as integer) + cast(deprived_education as integer) + cast(deprived_health as integer)
        + cast(deprived_housing as integer) + cast(deprived_water as integer) as deprivations,
    {{ year_build_columns('final.year') }}
from final
