-- How the MPI moves with the cutoff k (1 to 5 of the 5 indicators): H, A and M0 computed
-- exactly as in multidimensional_poverty, from the same counts (int_mpi_by_cutoff), so
-- the row of the mart's own k equals that mart.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

cutoffs as (
    select cast(k as double) as k
    from {{ constant_rows('sensitivity_cutoffs', ['k'], var('mpi_sensitivity_cutoffs')) }}
),

counts as (select * from {{ ref('int_mpi_by_cutoff') }}),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        cutoffs.k,
        coalesce(counts.persons, 0) as persons,
        coalesce(counts.mpi_poor_persons, 0) as mpi_poor_persons,
        counts.poor_score_sum
    from year_areas
    cross join cutoffs
    left join counts
        on counts.year = year_areas.year and counts.area_code = year_areas.area_code and counts.k = cutoffs.k
)

select
    year,
    area_code,
    area_name,
    area_level,
    k,
    persons,
    mpi_poor_persons,
    {{ mpi_ratios() }}
from final
order by year, area_code, k
