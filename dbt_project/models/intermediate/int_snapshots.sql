-- The snapshot of year Y for each feed table: the latest loaded (complete, not rejected)
-- delivery dated in Y that holds a file of that table. Snapshots are per table: a medical
-- delivery with only claims files leaves the enrollment snapshot where it was, so it never
-- means "nobody is insured". The one place this rule is made; every mart and quality rule
-- reads its snapshots from here.
with

deliveries as (select * from {{ ref('stg_ingest__deliveries') }}),

files as (select * from {{ ref('stg_ingest__files') }}),

final as (
    select
        deliveries.feed,
        files.table_name,
        cast(year(deliveries.delivery_date) as integer) as year,
        max(deliveries.delivery_date) as snapshot_date
    from deliveries
    inner join files using (feed, delivery_date)
    where deliveries.status = 'loaded' and files.status = 'loaded'
    group by deliveries.feed, files.table_name, year(deliveries.delivery_date)
)

select * from final
