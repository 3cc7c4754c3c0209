-- The reference list of areas: every area of the latest population delivery, with its
-- English level name and depth (1 province … 5 village).
with

population as (select * from {{ ref('stg_population__areas') }}),

latest as (
    select *
    from population
    where delivery_date = (select max(delivery_date) from population)
),

levels as (
    select
        unnest(map_keys({{ var('area_levels') }}::map(varchar, varchar))) as level_zh,
        unnest(map_values({{ var('area_levels') }}::map(varchar, varchar))) as area_level,
        unnest(range(1, 6)) as level_depth
),

final as (
    select distinct on (latest.area_code)
        latest.area_code,
        latest.area_name,
        levels.area_level,
        levels.level_depth,
        latest.parent_code
    from latest
    inner join levels on levels.level_zh = latest.level_zh
    order by latest.area_code, latest.year desc
)

select * from final
