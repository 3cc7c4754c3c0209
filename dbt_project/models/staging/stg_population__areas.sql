with

source as (select * from {{ source('raw', 'population') }}),

renamed as (
    select
        area_code,
        area_name,
        parent_code,
        level as level_zh,
        year,
        rural_population,
        delivery_date
    from source
)

select * from renamed
