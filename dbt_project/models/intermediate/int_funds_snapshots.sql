-- Fund ledgers of year Y: every period of the latest loaded funds delivery dated in Y
-- (a later delivery supersedes the earlier one), budget year Y, with the year's last
-- reported period, on which the 支出进度 target is judged.
with

funds as (select * from {{ ref('stg_funds__projects') }}),

snapshots as (select * from {{ ref('int_snapshots') }} where table_name = 'funds'),

snapshot_rows as (
    select snapshots.year as snapshot_year, funds.*
    from funds
    inner join snapshots on snapshots.snapshot_date = funds.delivery_date
    where funds.year = snapshots.year
),

final as (
    select
        *,
        max(period) over (partition by snapshot_year) as last_period
    from snapshot_rows
)

select * from final
