-- Every delivered file accounted for: rows read = rows accepted + rows quarantined.
with

files as (select * from {{ ref('stg_ingest__files') }}),

final as (
    select
        feed,
        delivery_date,
        file,
        rows_read,
        rows_accepted,
        rows_quarantined,
        encoding,
        status,
        message,
        table_name,
        message_zh
    from files
)

select * from final
order by feed, delivery_date, file
