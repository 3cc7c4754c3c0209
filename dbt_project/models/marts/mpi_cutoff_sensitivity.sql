-- How the MPI moves with the cutoff k (1 to 5 of the 5 indicators): H, A and M0 computed
-- exactly as in multidimensional_poverty, from the same counts (int_mpi_by_cutoff), so
-- the row of the mart's own k equals that mart.
with

years as (select year from {{ ref('int_snapshots') }} where table_name = 'registry'),

areas as (select * from {{ ref('int_areas') }}),

cutoffs as (
    select cast(k as double) as k
    from {{ constant_rows('sensitivity_cutoffs', ['k'], var('mpi_sensitivity_cutoffs')) }}
),

counts as (select * from {{ ref('int_mpi_by_cutoff') }}),

final as (
    select
        years.year,
        areas.area_code,
        areas.area_name,
        areas.area_level,
        cutoffs.k,
        coalesce(counts.persons, 0) as persons,
        coalesce(counts.mpi_poor_persons, 0) as mpi_poor_persons,
        counts.poor_score_sum
    from years
    cross join areas
    cross join cutoffs
    left join counts
        on counts.year = years.year and counts.area_code = areas.area_code and counts.k = cutoffs.k
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
