-- Which deprivations drive M0 (OPHI's Alkire-Foster decomposition by indicator): the
-- uncensored headcount (deprived, poor or not), the censored headcount (deprived and
-- MPI-poor) and each indicator's share of M0, w × censored ratio / M0. The shares add up
-- to 100 because M0 is the sum of w × censored ratio over the indicators.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

indicators as (
    select * from (values
        {% for indicator in var('mpi_indicators') %}
        ({{ loop.index }}, '{{ indicator }}'){{ "," if not loop.last }}
        {% endfor %}
    ) as indicators(indicator_order, indicator)
),

counts as (
    select *
    from {{ ref('int_mpi_by_cutoff') }}
    where k = cast({{ var('mpi_poverty_cutoff_k') }} as double)
),

by_indicator as (
    {% for indicator in var('mpi_indicators') %}
    select year, area_code, '{{ indicator }}' as indicator, persons, poor_score_sum,
        deprived_{{ indicator }} as deprived, censored_{{ indicator }} as censored
    from counts
    {{ "union all" if not loop.last }}
    {% endfor %}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        indicators.indicator,
        indicators.indicator_order,
        coalesce(by_indicator.persons, 0) as persons,
        coalesce(by_indicator.deprived, 0) as deprived,
        coalesce(by_indicator.censored, 0) as censored,
        coalesce(by_indicator.poor_score_sum, 0) as poor_score_sum
    from year_areas
    cross join indicators
    left join by_indicator
        on by_indicator.year = year_areas.year
        and by_indicator.area_code = year_areas.area_code
        and by_indicator.indicator = indicators.indicator
)

select
    year,
    area_code,
    area_name,
    area_level,
    indicator,
    cast(1.0 / {{ var('mpi_indicators') | length }} as double) as weight,
    cast({{ var('mpi_poverty_cutoff_k') }} as double) as k,
    persons,
    {{ percent('deprived', 'persons') }} as uncensored_headcount_pct,
    {{ percent('censored', 'persons') }} as censored_headcount_pct,
    -- 100 × w × (censored / persons) / (poor_score_sum / persons)
    {{ percent('censored', 'poor_score_sum * ' ~ (var('mpi_indicators') | length)) }}
        as contribution_pct
from final
order by year, area_code, indicator_order
