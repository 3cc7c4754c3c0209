{#- The rows of `relation` (a staged table of `feed`) that belong to the feed's snapshot of
    a year (its latest loaded delivery dated in that year), with that year (named
    `year_as`, for feeds with a year column of their own) and the snapshot date: the rows the marts count and the quality rules check. -#}
{% macro snapshot_rows(feed, relation, year_as='year') -%}
    select snapshots.year as {{ year_as }}, snapshots.snapshot_date, snapshot_feed.*
    from {{ relation }} as snapshot_feed
    inner join {{ ref('int_snapshots') }} as snapshots
        on snapshots.feed = '{{ feed }}' and snapshots.snapshot_date = snapshot_feed.delivery_date
{%- endmacro %}
