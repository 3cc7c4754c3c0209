-- 数据质量问题清单 (without personal data): one row per night, flagged record and rule,
-- with whether the flag is new tonight or still open, since when and for how many nights.
-- The same list with ID numbers and names is restricted.quality_worklist (never published).
with

flag_runs as (select * from {{ ref('int_quality_flag_runs') }}),

final as (
    select
        run_date,
        rule_id,
        severity,
        rule_title,
        feed,
        year,
        delivery_date,
        record_key,
        person_key,
        county_code,
        county_name,
        area_code,
        detail,
        flag_key,
        case when runs_open = 1 then 'new' else 'open' end as flag_status,
        first_seen_run_date,
        cast({{ days_between('first_seen_run_date', 'run_date') }} + 1 as integer) as nights_open
    from flag_runs
)

select * from final
