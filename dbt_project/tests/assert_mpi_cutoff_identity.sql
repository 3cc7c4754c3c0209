-- The sensitivity row at the cutoff of multidimensional_poverty is that mart's row, for
-- every year and area of either. A check of mpi_cutoff_sensitivity in Dagster (a test of
-- two models is otherwise an observation, with a warning every night).
{{ config(meta={'dagster': {'ref': {'name': 'mpi_cutoff_sensitivity'}}}) }}
with

sensitivity as (
    select *
    from {{ ref('mpi_cutoff_sensitivity') }}
    where k = cast({{ var('mpi_poverty_cutoff_k') }} as double)
),

mpi as (select * from {{ ref('multidimensional_poverty') }})

select coalesce(sensitivity.year, mpi.year) as year,
    coalesce(sensitivity.area_code, mpi.area_code) as area_code
from sensitivity
full outer join mpi on mpi.year = sensitivity.year and mpi.area_code = sensitivity.area_code
where sensitivity.area_code is null
    or mpi.area_code is null
    or sensitivity.persons != mpi.persons
    or sensitivity.mpi_poor_persons != mpi.mpi_poor_persons
    or sensitivity.headcount_ratio_h is distinct from mpi.headcount_ratio_h
    or sensitivity.intensity_a is distinct from mpi.intensity_a
    or sensitivity.m0 is distinct from mpi.m0
