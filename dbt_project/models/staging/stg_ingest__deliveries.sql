with

source as (select * from {{ source('raw', 'deliveries') }}),

renamed as (
    select
        feed,
        delivery_date,
        status,
        processed_at
    from source
)

select * from renamed
