{#- The rows of `relation` (the staged table `table_name` of the contract) that belong to
    that table's snapshot of a year (the latest loaded delivery dated in that year holding
    a file of it, see int_snapshots), with that year (named `year_as`, for tables with a
    year column of their own) and the snapshot date: the rows the marts count and the
    quality rules check. In a year-incremental model, only the years it builds
    (macros/year_incremental.sql); every year elsewhere. -#}
{% macro snapshot_rows(table_name, relation, year_as='year') -%}
    select snapshots.year as {{ year_as }}, snapshots.snapshot_date, snapshot_feed.*
    from {{ relation }} as snapshot_feed
    inner join {{ ref('int_snapshots') }} as snapshots
        on snapshots.table_name = '{{ table_name }}'
        and snapshots.snapshot_date = snapshot_feed.delivery_date
        and {{ in_years_to_build('snapshots.year') }}
{%- endmacro %}
