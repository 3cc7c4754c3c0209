{#- Year-incremental models: one year's rows depend only on that year's snapshots, the area
    tree and that year's policy lines (int_year_inputs digests them per year), so a night
    rebuilds the years whose digest changed and leaves the others as they stand. Each such
    model
      - is configured  {{ config(**year_incremental()) }}: on DuckDB materialized='incremental',
        incremental_strategy='delete+insert', unique_key='year', pre_hook=delete_years_to_build();
        on Spark a table rebuilt whole (Parquet tables cannot delete rows; a cluster has the
        throughput to rebuild, and the years would have to be partitions to overwrite)
      - reads its year-keyed inputs  where {{ in_years_to_build('year') }}
      - carries the digest its rows were built from and the night they were built:
        {{ year_build_columns('final.year') }}
    A change of the dbt project or the pseudonym key is a full refresh (the Dagster asset
    passes --full-refresh; pipelines/warehouse/build_inputs.py). -#}

{% macro year_incremental() -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert',
               'unique_key': 'year', 'pre_hook': '{{ delete_years_to_build() }}'}) }}
{%- endmacro %}

{#- The years to (re)build: all on a first or full build, and in any model that is not
    year-incremental; else the years whose inputs digest differs from the one stored in
    this table (a year it lacks included). -#}
{% macro years_to_build() -%}
    {%- set inputs = ref('int_year_inputs') -%}
    {%- if not is_incremental() or config.get('unique_key') != 'year' or not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select inputs.year
        from {{ inputs }} as inputs
        left join (select distinct year, inputs_digest from {{ this }}) as built
            on built.year = inputs.year and built.inputs_digest = inputs.inputs_digest
        where built.year is null
        order by inputs.year
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{#- A filter keeping the rows of the years to build (every row when all are built). The years
    are literals, so DuckDB skips the other years' row groups. -#}
{% macro in_years_to_build(year_column) -%}
    {%- set years = years_to_build() -%}
    {%- if years is none -%}true
    {%- elif years -%}{{ year_column }} in ({{ years | join(', ') }})
    {%- else -%}false
    {%- endif -%}
{%- endmacro %}

{#- The columns every row of a year-incremental model carries: the inputs digest of its year
    (one value per year: DuckDB keeps it in a few bytes per row group) and the night its year
    was built (var run_date). `year_column` qualified by its table: unqualified, it would
    name the subquery's own year. -#}
{% macro year_build_columns(year_column) -%}
    (select inputs.inputs_digest from {{ ref('int_year_inputs') }} as inputs
     where inputs.year = {{ year_column }}) as inputs_digest,
    {{ quality_run_date() }} as built_on
{%- endmacro %}

{#- pre_hook: the rows of every year to build go before the new ones come. dbt's own
    delete+insert deletes only the years the new rows hold, so a year that has no rows any
    more (its only registry delivery re-delivered and rejected, while dibao still has that
    year) would keep its old ones; so would a year that has no inputs at all any more. -#}
{% macro delete_years_to_build() -%}
    {%- if is_incremental() -%}
        {%- set years = years_to_build() -%}
        delete from {{ this }}
        where year not in (select year from {{ ref('int_year_inputs') }})
        {%- if years %} or year in ({{ years | join(', ') }}){% endif %}
    {%- endif -%}
{%- endmacro %}
