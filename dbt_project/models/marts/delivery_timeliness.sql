-- Did every department deliver, on time (after DHIS2's reporting rates)? One row per
-- feed, table, due date of the delivery calendar and county. A due date's window runs
-- from the end of the previous due date's grace period (exclusive) to its own due date +
-- grace (inclusive), so one delivery answers one due date. A county is answered by the
-- earliest loaded delivery in the window that holds an accepted row for it; the status
-- depends on the run date, so this model is rebuilt every night (tag every_night).
{{ config(tags=['every_night']) }}
with

calendar as (select * from {{ ref('delivery_calendar') }}),

registry_years as (select year from {{ ref('int_snapshots') }} where table_name = 'registry'),

areas as (select * from {{ ref('int_areas') }}),

delivered as (select * from {{ ref('int_delivered_counties') }}),

deliveries as (select * from {{ ref('stg_ingest__deliveries') }}),

run_date as (select {{ quality_run_date() }} as run_date),

-- the years the marts cover, and the one before (its last due date opens the first window)
calendar_years as (
    select {{ integer_series('min(year) - 1', 'max(year)') }} as year from registry_years
),

due_dates as (
    select
        calendar.feed,
        calendar.table_name,
        calendar_years.year,
        make_date(calendar_years.year, calendar.due_month,
                  least(calendar.due_day,
                        day(last_day(make_date(calendar_years.year, calendar.due_month, 1)))))
            as due_date,
        calendar.grace_days
    from calendar
    cross join calendar_years
),

windows as (
    select
        feed,
        table_name,
        year,
        due_date,
        due_date + grace_days as window_end,
        lag(due_date + grace_days) over (
            partition by feed, table_name order by due_date
        ) as window_start_after
    from due_dates
),

expected as (
    select windows.*, areas.area_code, areas.area_name
    from windows
    inner join registry_years using (year)
    inner join areas
        on areas.area_level = case
            when windows.table_name in ('population', 'standards', 'claims') then 'province'
            else 'county'
        end
),

answered as (
    select
        expected.feed,
        expected.table_name,
        expected.due_date,
        expected.area_code,
        min(delivered.delivery_date) as delivery_date
    from expected
    inner join delivered
        on delivered.feed = expected.feed
        and delivered.table_name = expected.table_name
        and delivered.area_code = expected.area_code
        and delivered.delivery_date > expected.window_start_after
        and delivered.delivery_date <= expected.window_end
    group by all
),

-- what arrived in a window besides answers: every delivery of the feed, to say why a
-- county is missing
window_deliveries as (
    select
        windows.feed,
        windows.table_name,
        windows.due_date,
        {{ sorted_string_agg(
            "cast(deliveries.delivery_date as string) || case deliveries.status
                when 'rejected' then '（被拒收）'
                when 'skipped_incomplete' then '（不完整，缺_SUCCESS）'
                else '（无本地区该表记录）'
            end",
            '、', order_by='deliveries.delivery_date') }} as seen
    from windows
    inner join deliveries
        on deliveries.feed = windows.feed
        and deliveries.delivery_date > windows.window_start_after
        and deliveries.delivery_date <= windows.window_end
    group by all
),

final as (
    select
        expected.feed,
        expected.table_name,
        expected.due_date,
        expected.area_code,
        expected.area_name,
        case
            when answered.delivery_date <= expected.due_date then 'on_time'
            when answered.delivery_date is not null then 'late'
            when expected.window_end > run_date.run_date then 'not_yet_due'
            else 'missing'
        end as status,
        answered.delivery_date,
        case when answered.delivery_date > expected.due_date
            then cast({{ days_between('expected.due_date', 'answered.delivery_date') }} as integer)
        end as days_late,
        window_deliveries.seen,
        expected.window_start_after,
        expected.window_end
    from expected
    cross join run_date
    left join answered
        on answered.feed = expected.feed
        and answered.table_name = expected.table_name
        and answered.due_date = expected.due_date
        and answered.area_code = expected.area_code
    left join window_deliveries
        on window_deliveries.feed = expected.feed
        and window_deliveries.table_name = expected.table_name
        and window_deliveries.due_date = expected.due_date
)

select
    feed,
    table_name,
    due_date,
    area_code,
    area_name,
    status,
    delivery_date,
    days_late,
    case status
        when 'late' then '逾期' || days_late || '天报送（' || cast(delivery_date as string) || '）'
        when 'missing' then coalesce(
            '截至' || cast(window_end as string) || '（含宽限期）只收到：' || seen,
            cast(window_start_after + 1 as string) || '至' || cast(window_end as string)
                || '之间没有任何报送'
        )
        when 'not_yet_due' then '宽限期至' || cast(window_end as string) || '，尚未到期'
    end as detail
from final
order by feed, table_name, due_date, area_code
