-- The skeleton of the marts by year and area: every year of the registry (its snapshot
-- years) × every area of the latest population delivery, so that each mart has a row for
-- every area of every level every year, zeros included.
with

years as (select year from {{ ref('int_snapshots') }} where table_name = 'registry'),

areas as (select * from {{ ref('int_areas') }}),

final as (
    select years.year, areas.*
    from years
    cross join areas
)

select * from final
