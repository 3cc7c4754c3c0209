-- Reporting rates per feed, table and due date (after DHIS2): of the counties expected
-- (the province, for a province-wide table), how many delivered on time, late or not at
-- all. A due date some county may still answer (its grace period has not ended and that
-- county has not delivered yet) is left out; once every county has answered, its figures
-- are final and shown.
{{ config(tags=['every_night']) }}
with

due_dates_answered as (
    select
        *,
        sum(case when status = 'not_yet_due' then 1 else 0 end)
            over (partition by feed, table_name, due_date) as counties_not_yet_due
    from {{ ref('delivery_timeliness') }}
),

timeliness as (select * from due_dates_answered where counties_not_yet_due = 0),

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
    {{ percent('(counties_on_time + counties_late)', 'counties_expected') }} as completeness_pct,
    {{ percent('counties_on_time', 'counties_expected') }} as timeliness_pct
from counts
order by feed, table_name, due_date
