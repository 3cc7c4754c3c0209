-- Each night's flags numbered by run, with the spell each belongs to: a flag present on
-- consecutive runs is one spell; absent for a run and back again, it starts a new one.
with

runs as (select * from {{ ref('int_quality_runs') }}),

history as (select * from {{ ref('quality_flag_history') }}),

numbered as (
    select history.*, runs.run_number
    from history
    inner join runs using (run_date)
),

spells as (
    select
        *,
        run_number - row_number() over (partition by flag_key order by run_number) as spell
    from numbered
),

final as (
    select
        *,
        min(run_date) over (partition by flag_key, spell) as first_seen_run_date,
        count(*) over (partition by flag_key, spell order by run_number) as runs_open
    from spells
)

select * from final
