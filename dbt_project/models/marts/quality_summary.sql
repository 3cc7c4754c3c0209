-- 数据质量看板: per night, feed, rule and county, the records checked and flagged, and how
-- the flags moved since the previous night (new, resolved, still open).
with

checks as (select * from {{ ref('quality_check_history') }}),

rules as (select * from {{ ref('quality_rules') }}),

areas as (select * from {{ ref('int_areas') }}),

key_changes as (select * from {{ ref('stg_pseudonym__key_changes') }}),

flags as (
    select
        run_date, feed, rule_id, county_code,
        count(*) filter (where flag_status = 'new') as new_flags,
        count(*) filter (where flag_status = 'open') as still_open_flags
    from {{ ref('quality_flags') }}
    group by all
),

resolved as (
    select run_date, feed, rule_id, county_code, count(*) as resolved_flags
    from {{ ref('quality_resolved_flags') }}
    group by all
),

final as (
    select
        checks.run_date,
        checks.feed,
        checks.rule_id,
        rules.severity,
        rules.title as rule_title,
        checks.county_code,
        counties.area_name as county_name,
        -- BIGINT: the history of a warehouse built before 2026-11-30 holds HUGEINT sums
        cast(checks.checked_records as bigint) as checked_records,
        checks.flagged_records,
        {{ percent('checks.flagged_records', 'checks.checked_records') }} as flag_rate_pct,
        coalesce(flags.new_flags, 0) as new_flags,
        coalesce(resolved.resolved_flags, 0) as resolved_flags,
        coalesce(flags.still_open_flags, 0) as still_open_flags,
        key_changes.run_date is not null as flag_continuity_restarted
    from checks
    inner join rules using (rule_id)
    left join areas as counties on counties.area_code = checks.county_code
    left join flags using (run_date, feed, rule_id, county_code)
    left join resolved using (run_date, feed, rule_id, county_code)
    left join key_changes on key_changes.run_date = checks.run_date
)

select * from final
