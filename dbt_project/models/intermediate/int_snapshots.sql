-- The snapshot of year Y for each feed: its latest loaded (complete, not rejected)
-- delivery dated in Y. A superseded or rejected delivery never counts.
with

deliveries as (select * from {{ ref('stg_ingest__deliveries') }}),

final as (
    select
        feed,
        year(delivery_date) as year,
        max(delivery_date) as snapshot_date
    from deliveries
    where status = 'loaded'
    group by feed, year(delivery_date)
)

select * from final
