with

source as (select * from {{ source('raw', 'ingest_files') }}),

renamed as (
    select
        feed,
        delivery_date,
        file,
        table_name,
        rows_read,
        rows_accepted,
        rows_quarantined,
        encoding,
        status,
        message,
        message_zh
    from source
)

select * from renamed
