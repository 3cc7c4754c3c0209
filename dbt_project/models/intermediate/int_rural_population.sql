-- 农村户籍人口 of each village and year, from the latest population delivery holding the year.
with

population as (select * from {{ ref('stg_population__areas') }}),

current_population as (
    {{ rows_of_latest_delivery_per_year('population') }}
),

final as (
    select
        year,
        area_code,
        rural_population
    from current_population
    where level_zh = '村'
)

select * from final
