{#- The night the quality flags belong to: var run_date (an Asia/Shanghai date the Dagster
    asset passes, `--vars '{run_date: 2026-11-23}'`), else today. -#}
{% macro quality_run_date() -%}
    cast('{{ var("run_date", modules.datetime.date.today().isoformat()) }}' as date)
{%- endmacro %}

{#- The earlier night whose quality results tonight carries forward, when the Dagster asset
    has proved that nothing a model reads changed since that night's build
    (pipelines/build_inputs.py); none on every other night. -#}
{% macro carry_forward_from() -%}
    {{ return(var("carry_forward_from", none)) }}
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
