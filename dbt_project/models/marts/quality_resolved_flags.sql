-- 已整改问题: flags present on a night's previous run and gone on that night, with the run
-- that resolved them (run_date) and the night they were last seen. Built night by night
-- (macros/quality_run_date.sql): tonight's rows are the flags of the run before, as
-- quality_flags lists them, that tonight's history lacks.
{{ config(**night_by_night()) }}
-- depends_on: {{ ref('quality_flag_history') }}, {{ ref('quality_check_history') }}, {{ ref('quality_flags') }}
with

{% if builds_tonight_only() -%}

tonight as (
    select flag_key from {{ ref('quality_flag_history') }} where run_date = {{ quality_run_date() }}
),

previous as (
    select flags.*
    from {{ ref('quality_flags') }} as flags
    inner join {{ previous_quality_run() }} as previous_run using (run_date)
),

resolved as (
    select {{ quality_run_date() }} as resolving_run_date, previous.*
    from previous
    left join tonight using (flag_key)
    where tonight.flag_key is null
),

{%- else -%}

flag_runs as (select * from {{ ref('int_quality_flag_runs') }}),

runs as (select * from {{ ref('int_quality_runs') }}),

resolved as (
    select
        resolving_run.run_date as resolving_run_date,
        previous.*,
        cast({{ days_between('previous.first_seen_run_date', 'previous.run_date') }} + 1 as integer)
            as nights_open
    from flag_runs as previous
    inner join runs as resolving_run on resolving_run.run_number = previous.run_number + 1
    left join flag_runs as still_open
        on still_open.flag_key = previous.flag_key and still_open.run_number = previous.run_number + 1
    where still_open.flag_key is null
    {%- if is_incremental() %}
        and resolving_run.run_date >= {{ quality_run_date() }}
    {%- endif %}
),

{%- endif %}

final as (
    select
        resolving_run_date as run_date,
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
        first_seen_run_date,
        run_date as last_seen_run_date,
        nights_open
    from resolved
)

select * from final
