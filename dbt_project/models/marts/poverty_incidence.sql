-- 贫困发生率 and exit readiness, per year and area (every area of every level, zeros
-- included). Persons count in their village and every ancestor; a person whose village
-- is unknown counts from its nearest known ancestor upwards.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

persons as (select * from {{ ref('int_registry_persons') }}),

rural_population as (select * from {{ ref('int_rural_population') }}),

area_standards as (select * from {{ ref('int_area_standards') }}),

counts_where_reported as (
    select
        year,
        area_code,
        count(*) as registered_persons,
        count(*) filter (where poverty_status in ('未脱贫', '返贫')) as poor_persons,
        count(*) filter (where poverty_status = '已脱贫' and exit_year = year) as exited_in_year,
        count(*) filter (where poverty_status = '返贫') as relapsed_persons
    from persons
    where area_code is not null
    group by year, area_code
),

counts as (
    {{ roll_up('counts_where_reported', ['year'],
               ['registered_persons', 'poor_persons', 'exited_in_year', 'relapsed_persons']) }}
),

population as (
    {{ roll_up('rural_population', ['year'], ['rural_population']) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        cast(population.rural_population as bigint) as rural_population,
        cast(coalesce(counts.registered_persons, 0) as bigint) as registered_persons,
        cast(coalesce(counts.poor_persons, 0) as bigint) as poor_persons,
        cast(coalesce(counts.exited_in_year, 0) as bigint) as exited_in_year,
        cast(coalesce(counts.relapsed_persons, 0) as bigint) as relapsed_persons,
        {{ percent('coalesce(counts.poor_persons, 0)', 'population.rural_population') }}
            as incidence_pct,
        cast(area_standards.exit_threshold_pct as double) as exit_threshold_pct
    from year_areas
    left join counts on counts.year = year_areas.year and counts.area_code = year_areas.area_code
    left join population
        on population.year = year_areas.year and population.area_code = year_areas.area_code
    left join area_standards
        on area_standards.year = year_areas.year and area_standards.area_code = year_areas.area_code
)

select
    year,
    area_code,
    area_name,
    area_level,
    rural_population,
    registered_persons,
    poor_persons,
    exited_in_year,
    relapsed_persons,
    incidence_pct,
    exit_threshold_pct,
    incidence_pct < exit_threshold_pct as meets_exit_threshold
from final
order by year, area_code
