-- Reporting rates per feed, table and due date (after DHIS2): of the counties expected
-- (the province, for a province-wide table), how many delivered on time, late or not at
-- all. A due date some county may still answer (its grace period has not ended and that
-- county has not delivered yet) is left out; once every county has answered, its figures
-- are final and shown.
{{ config(tags=['every_night']) }}
with

timeliness as (
    select *
    from {{ ref('delivery_timeliness') }}
    qualify count(*) filter (where status = 'not_yet_due')
        over (partition by feed, table_name, due_date) = 0
),

counts as (
    select
        feed,
        table_name,
        due_date,
        count(*) as counties_expected,
        count(*) filter (where status = 'on_time') as counties_on_time,
        count(*) filter (where status = 'late') as counties_late,
        count(*) filter (where status = 'missing') as counties_missing
    from timeliness
    group by all
)

select
    feed,
    table_name,
    due_date,
    counties_expected,
    counties_on_time,
    counties_late,
    counties_missing,
    round(100.0 * (counties_on_time + counties_late) / counties_expected, 2) as completeness_pct,
    round(100.0 * counties_on_time / counties_expected, 2) as timeliness_pct
from counts
order by feed, table_name, due_date
