{#- The night the quality flags belong to: var run_date (an Asia/Shanghai date the Dagster
    asset passes, `--vars '{run_date: 2026-11-23}'`), else today. -#}
{% macro quality_run_date() -%}
    cast('{{ var("run_date", modules.datetime.date.today().isoformat()) }}' as date)
{%- endmacro %}
