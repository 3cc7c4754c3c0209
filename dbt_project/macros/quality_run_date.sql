{#- The night the quality flags belong to: POVMON_RUN_DATE (an Asia/Shanghai date the Dagster
    asset sets, e.g. 2026-11-23), else today. An environment variable, not a --vars: dbt
    parses the whole project again whenever its vars change, which they would every night,
    while a changed environment variable re-parses only the models that read it. -#}
{% macro quality_run_date() -%}
    cast('{{ env_var("POVMON_RUN_DATE", modules.datetime.date.today().isoformat()) }}' as date)
{%- endmacro %}

{#- The earlier night whose quality results tonight carries forward (POVMON_CARRY_FORWARD_FROM),
    when the Dagster asset has proved that nothing a model reads changed since that night's
    build (pipelines/warehouse/build_inputs.py); none on every other night. -#}
{% macro carry_forward_from() -%}
    {{ return(env_var("POVMON_CARRY_FORWARD_FROM", "") or none) }}
{%- endmacro %}

{#- The config of a history kept night by night (quality_check_history,
    quality_flag_history): re-running a night replaces that night's rows, and a full refresh
    never wipes it. DuckDB deletes and inserts on run_date; Spark, whose Parquet tables
    cannot delete rows, keeps each night as a partition and overwrites tonight's (the
    partition column comes last in Spark's table). -#}
{% macro night_history(tags=[]) -%}
    {%- set common = {'materialized': 'incremental', 'full_refresh': false, 'tags': tags} -%}
    {%- if target.type == 'spark' -%}
        {%- do common.update({'incremental_strategy': 'insert_overwrite', 'partition_by': ['run_date']}) -%}
    {%- else -%}
        {%- do common.update({'incremental_strategy': 'delete+insert', 'unique_key': 'run_date'}) -%}
    {%- endif -%}
    {{ return(common) }}
{%- endmacro %}

{#- The config of a published mart made night by night from the quality history
    (quality_flags, quality_resolved_flags). On DuckDB a night adds its own rows
    (delete+insert on run_date), read from tonight's history and the mart's rows of the run
    before, so the night costs what its flags cost, not what every night's do; on Spark,
    whose Parquet tables cannot delete rows, a table rebuilt from the history. A first
    build or a full refresh rebuilds it from the history, which holds every night. With
    `runs_kept`, a post-hook drops the runs before the last `runs_kept` (the model, built
    from the history, selects only those: last_quality_runs). -#}
{% macro night_by_night(runs_kept=none) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {#- on_schema_change fail: the published ones have an enforced contract, and a change of
        the project is a full refresh anyway (pipelines/warehouse/build_inputs.py) -#}
    {%- set config = {'materialized': 'incremental', 'incremental_strategy': 'delete+insert',
                      'unique_key': 'run_date', 'on_schema_change': 'fail'} -%}
    {%- if runs_kept -%}
        {%- do config.update({'post_hook': "delete from {{ this }} where run_date not in "
                                           ~ "{{ last_quality_runs(" ~ runs_kept ~ ") }}"}) -%}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}

{#- The last `runs_kept` runs of the quality history, as a relation with column run_date:
    what a night-by-night mart that keeps only those holds when it is built from the
    history. On DuckDB the post-hook of night_by_night() drops the runs that fall out of
    the window as later nights come in. -#}
{% macro last_quality_runs(runs_kept) -%}
    (select run_date from {{ ref('int_quality_runs') }}
     where run_number > (select max(run_number) from {{ ref('int_quality_runs') }}) - {{ runs_kept }})
{%- endmacro %}

{#- Whether this night-by-night mart builds tonight's rows only: it is incremental and holds
    no night after tonight. A re-run of an earlier night rebuilds that night and every later
    one from the history instead (its flags change the spells of the nights after it). -#}
{% macro builds_tonight_only() -%}
    {%- if not is_incremental() or not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set later = run_query('select count(*) from ' ~ this ~ ' where run_date > ' ~ quality_run_date()) -%}
    {{ return(later.columns[0].values()[0] == 0) }}
{%- endmacro %}

{#- The run before tonight's (runs are the nights of quality_check_history, flagged or not),
    as a one-row relation with column run_date. -#}
{% macro previous_quality_run() -%}
    (select max(run_date) as run_date from {{ ref('quality_check_history') }}
     where run_date < {{ quality_run_date() }})
{%- endmacro %}
