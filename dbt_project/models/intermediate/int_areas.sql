-- The reference list of areas: every area of the latest population delivery, with its
-- English level name and depth (1 province … 5 village).
with

population as (select * from {{ ref('stg_population__areas') }}),

latest as (
    select *
    from population
    where delivery_date = (select max(delivery_date) from population)
),

{%- set level_rows = [] %}
{%- for level_zh, area_level in var('area_levels').items() %}
    {%- do level_rows.append([level_zh, area_level, loop.index]) %}
{%- endfor %}

levels as (
    select * from {{ constant_rows('levels', ['level_zh', 'area_level', 'level_depth'], level_rows) }}
),

final as (
    select
        latest.area_code,
        latest.area_name,
        levels.area_level,
        levels.level_depth,
        latest.parent_code,
        row_number() over (partition by latest.area_code order by latest.year desc) as rank_of_year
    from latest
    inner join levels on levels.level_zh = latest.level_zh
)

select area_code, area_name, area_level, level_depth, parent_code
from final
where rank_of_year = 1
