with

source as (select * from {{ source('raw', 'standards') }}),

renamed as (
    select
        area_code,
        year,
        poverty_line,
        dibao_line,
        exit_threshold_pct,
        monitoring_line,
        delivery_date
    from source
)

select * from renamed
