-- 数据质量问题清单 (without personal data): one row per night, flagged record and rule,
-- with whether the flag is new tonight or still open, since when and for how many nights.
-- The same list with ID numbers and names is restricted.quality_worklist (never published).
-- Built night by night (macros/quality_run_date.sql): a flag open on the run before keeps
-- the night it was first seen; else tonight is its first.
-- It keeps the last var('quality_flags_runs_kept') runs; every run's flags stay in
-- quality.quality_flag_history.
{{ config(**night_by_night(runs_kept=var('quality_flags_runs_kept'))) }}
-- depends_on: {{ ref('quality_flag_history') }}, {{ ref('quality_check_history') }}, {{ ref('int_quality_runs') }}
with

{% if builds_tonight_only() -%}

tonight as (
    select * from {{ ref('quality_flag_history') }} where run_date = {{ quality_run_date() }}
),

previous as (
    select flags.flag_key, flags.first_seen_run_date
    from {{ this }} as flags
    inner join {{ previous_quality_run() }} as previous_run using (run_date)
),

flag_runs as (
    select
        tonight.*,
        coalesce(previous.first_seen_run_date, tonight.run_date) as first_seen_run_date,
        previous.flag_key is null as is_new
    from tonight
    left join previous using (flag_key)
),

{%- else -%}

flag_runs as (
    select *, runs_open = 1 as is_new
    from {{ ref('int_quality_flag_runs') }}
    where run_date in {{ last_quality_runs(var('quality_flags_runs_kept')) }}
    {%- if is_incremental() %}
        and run_date >= {{ quality_run_date() }}
    {%- endif %}
),

{%- endif %}

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
        case when is_new then 'new' else 'open' end as flag_status,
        first_seen_run_date,
        cast({{ days_between('first_seen_run_date', 'run_date') }} + 1 as integer) as nights_open
    from flag_runs
)

select * from final
