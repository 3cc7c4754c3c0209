-- 已整改问题: flags present on a night's previous run and gone on that night, with the run
-- that resolved them (run_date) and the night they were last seen.
with

flag_runs as (select * from {{ ref('int_quality_flag_runs') }}),

runs as (select * from {{ ref('int_quality_runs') }}),

final as (
    select
        resolving_run.run_date,
        previous.rule_id,
        previous.severity,
        previous.rule_title,
        previous.feed,
        previous.year,
        previous.delivery_date,
        previous.record_key,
        previous.person_key,
        previous.county_code,
        previous.county_name,
        previous.area_code,
        previous.detail,
        previous.flag_key,
        previous.first_seen_run_date,
        previous.run_date as last_seen_run_date,
        cast({{ days_between('previous.first_seen_run_date', 'previous.run_date') }} + 1 as integer) as nights_open
    from flag_runs as previous
    inner join runs as resolving_run on resolving_run.run_number = previous.run_number + 1
    left join flag_runs as still_open
        on still_open.flag_key = previous.flag_key and still_open.run_number = previous.run_number + 1
    where still_open.flag_key is null
)

select * from final
