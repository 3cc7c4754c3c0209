-- Depth and severity of income poverty (Foster-Greer-Thorbecke) among registered persons:
-- y is the household's per-capita income as its head's row states it (the income of
-- int_household_deprivations, as in multidimensional_poverty), z the poverty line that
-- applies where the person lives. FGT_a is the mean over persons of (max(0, z − y) / z)^a.
-- Persons without an income, or (no standards row for the year) without a line, are left
-- out of every figure and counted apart.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

persons as (select * from {{ ref('int_registry_persons') }} where area_code is not null),

households as (select * from {{ ref('int_household_deprivations') }}),

standards as (select * from {{ ref('int_area_standards') }}),

person_gaps as (
    select
        persons.year,
        persons.area_code,
        households.per_capita_income as y,
        standards.poverty_line as z,
        greatest(standards.poverty_line - households.per_capita_income, 0)
            / standards.poverty_line as gap
    from persons
    inner join households using (year, household_id)
    left join standards
        on standards.year = persons.year and standards.area_code = persons.area_code
),

counts_where_reported as (
    select
        year,
        area_code,
        count(*) filter (where y is not null and z is not null) as persons,
        count(*) filter (where y < z) as persons_below_line,
        count(*) filter (where y is null) as persons_without_income,
        count(*) filter (where y is not null and z is null) as persons_without_line,
        sum(gap) as gap_sum,
        sum(gap * gap) as squared_gap_sum,
        sum(z - y) filter (where y < z) as shortfall_sum
    from person_gaps
    group by all
),

counts as (
    {{ roll_up('counts_where_reported', ['year'],
               ['persons', 'persons_below_line', 'persons_without_income',
                'persons_without_line', 'gap_sum', 'squared_gap_sum', 'shortfall_sum']) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        cast(coalesce(counts.persons, 0) as bigint) as persons,
        cast(coalesce(counts.persons_below_line, 0) as bigint) as persons_below_line,
        cast(coalesce(counts.persons_without_income, 0) as bigint) as persons_without_income,
        cast(coalesce(counts.persons_without_line, 0) as bigint) as persons_without_line,
        counts.gap_sum,
        counts.squared_gap_sum,
        counts.shortfall_sum
    from year_areas
    left join counts on counts.year = year_areas.year and counts.area_code = year_areas.area_code
)

select
    year,
    area_code,
    area_name,
    area_level,
    persons,
    persons_below_line,
    {{ percent('persons_below_line', 'persons') }} as fgt0_pct,
    {{ round_ratio('cast(gap_sum as double) / nullif(persons, 0)', 4) }} as fgt1_gap_index,
    {{ round_ratio('cast(squared_gap_sum as double) / nullif(persons, 0)', 4) }} as fgt2_severity_index,
    {{ mean_money('shortfall_sum', 'nullif(persons_below_line, 0)') }} as mean_shortfall_yuan,
    persons_without_income,
    persons_without_line
from final
order by year, area_code
