-- 农村户籍人口 of each village and year: the village rows for year Y of the latest loaded
-- population delivery that holds year Y (population for a year may arrive after it ends).
with

population as (select * from {{ ref('stg_population__areas') }}),

latest_for_year as (
    select year, max(delivery_date) as delivery_date
    from population
    group by year
),

final as (
    select
        population.year,
        population.area_code,
        population.rural_population
    from population
    inner join latest_for_year using (year, delivery_date)
    where population.level_zh = '村'
)

select * from final
