with

source as (select * from {{ source('raw', 'ingest_files') }}),

renamed as (
    select
        feed,
        delivery_date,
        file,
        rows_read,
        rows_accepted,
        rows_quarantined,
        encoding,
        status,
        message
    from source
)

select * from renamed
