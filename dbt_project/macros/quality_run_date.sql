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
