-- 两不愁三保障 as an Alkire-Foster index: the unit is the registry household, five
-- indicators of weight 1/5, poor when the score >= k; every member carries the
-- household's result and counts in their own area. The head's row (户主; the smallest
-- id_number if a household has none, rule R17) gives income, housing and water.
with

years as (select year from {{ ref('int_snapshots') }} where table_name = 'registry'),

areas as (select * from {{ ref('int_areas') }}),

persons as (select * from {{ ref('int_registry_persons') }}),

programs as (select * from {{ ref('int_person_programs') }}),

standards as (select * from {{ ref('int_area_standards') }}),

members as (
    select
        persons.year,
        persons.id_number,
        persons.household_id,
        persons.area_code,
        persons.relation,
        persons.per_capita_income,
        persons.housing_safe,
        persons.water_safe,
        programs.education_eligible and not programs.education_covered as education_gap,
        not programs.medical_covered as health_gap
    from persons
    inner join programs using (year, id_number)
),

households as (
    select
        year,
        household_id,
        first(per_capita_income order by relation != '户主', id_number) as per_capita_income,
        first(area_code order by relation != '户主', id_number) as head_area_code,
        first(housing_safe order by relation != '户主', id_number) as housing_safe,
        first(water_safe order by relation != '户主', id_number) as water_safe,
        bool_or(education_gap) as deprived_education,
        bool_or(health_gap) as deprived_health
    from members
    group by year, household_id
),

household_scores as (
    select
        households.year,
        households.household_id,
        coalesce(households.per_capita_income < standards.poverty_line, false) as deprived_income,
        households.deprived_education,
        households.deprived_health,
        coalesce(not households.housing_safe, false) as deprived_housing,
        coalesce(not households.water_safe, false) as deprived_water
    from households
    left join standards
        on standards.year = households.year and standards.area_code = households.head_area_code
),

scored as (
    select
        *,
        (deprived_income::int + deprived_education::int + deprived_health::int
            + deprived_housing::int + deprived_water::int) / 5.0 as score
    from household_scores
),

person_results as (
    select
        members.year,
        members.area_code,
        count(*) as persons,
        count(*) filter (where scored.score >= {{ var('mpi_poverty_cutoff_k') }}) as mpi_poor_persons,
        coalesce(sum(scored.score) filter (where scored.score >= {{ var('mpi_poverty_cutoff_k') }}), 0)
            as poor_score_sum,
        count(*) filter (where scored.deprived_income) as deprived_income,
        count(*) filter (where scored.deprived_education) as deprived_education,
        count(*) filter (where scored.deprived_health) as deprived_health,
        count(*) filter (where scored.deprived_housing) as deprived_housing,
        count(*) filter (where scored.deprived_water) as deprived_water
    from members
    inner join scored using (year, household_id)
    where members.area_code is not null
    group by all
),

counts as (
    {{ roll_up('person_results', ['year'],
               ['persons', 'mpi_poor_persons', 'poor_score_sum', 'deprived_income',
                'deprived_education', 'deprived_health', 'deprived_housing', 'deprived_water']) }}
),

final as (
    select
        years.year,
        areas.area_code,
        areas.area_name,
        areas.area_level,
        cast(coalesce(counts.persons, 0) as bigint) as persons,
        cast(coalesce(counts.mpi_poor_persons, 0) as bigint) as mpi_poor_persons,
        counts.poor_score_sum,
        counts.deprived_income,
        counts.deprived_education,
        counts.deprived_health,
        counts.deprived_housing,
        counts.deprived_water
    from years
    cross join areas
    left join counts on counts.year = years.year and counts.area_code = areas.area_code
)

select
    year,
    area_code,
    area_name,
    area_level,
    persons,
    mpi_poor_persons,
    round(mpi_poor_persons / nullif(persons, 0), 4) as headcount_ratio_h,
    round(poor_score_sum / nullif(mpi_poor_persons, 0), 4) as intensity_a,
    round(poor_score_sum / nullif(persons, 0), 4) as m0,
    round(100.0 * deprived_income / nullif(persons, 0), 2) as deprived_income_pct,
    round(100.0 * deprived_education / nullif(persons, 0), 2) as deprived_education_pct,
    round(100.0 * deprived_health / nullif(persons, 0), 2) as deprived_health_pct,
    round(100.0 * deprived_housing / nullif(persons, 0), 2) as deprived_housing_pct,
    round(100.0 * deprived_water / nullif(persons, 0), 2) as deprived_water_pct
from final
order by year, area_code
