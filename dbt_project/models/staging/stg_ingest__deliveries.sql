with

source as (select * from {{ source('raw', 'deliveries') }}),

renamed as (
    select
        feed,
        delivery_date,
        fingerprint,
        status,
        processed_at
    from source
)

select * from renamed
