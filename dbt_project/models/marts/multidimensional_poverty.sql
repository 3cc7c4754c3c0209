-- 两不愁三保障 as an Alkire-Foster index: the unit is the registry household, five
-- indicators of weight 1/5 (int_household_deprivations), poor when the score >= k;
-- every member carries the household's result and counts in their own area. The counts
-- come from int_mpi_by_cutoff, shared with mpi_decomposition and mpi_cutoff_sensitivity.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

counts as (
    select *
    from {{ ref('int_mpi_by_cutoff') }}
    where k = cast({{ var('mpi_poverty_cutoff_k') }} as double)
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        coalesce(counts.persons, 0) as persons,
        coalesce(counts.mpi_poor_persons, 0) as mpi_poor_persons,
        counts.poor_score_sum,
        {% for indicator in var('mpi_indicators') %}
        counts.deprived_{{ indicator }}{{ "," if not loop.last }}
        {% endfor %}
    from year_areas
    left join counts on counts.year = year_areas.year and counts.area_code = year_areas.area_code
)

select
    year,
    area_code,
    area_name,
    area_level,
    persons,
    mpi_poor_persons,
    {{ mpi_ratios() }},
    {% for indicator in var('mpi_indicators') %}
    {{ percent('deprived_' ~ indicator, 'persons') }} as deprived_{{ indicator }}_pct
        {{- "," if not loop.last }}
    {% endfor %}
from final
order by year, area_code
