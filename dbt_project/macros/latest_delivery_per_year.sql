{#- Yearly reference feeds (population, standards) are keyed by their own 年度 column:
    year Y uses the rows for Y of the latest loaded delivery that holds Y, since figures for
    a year may arrive after it ends. The one place this choice is made. -#}
{% macro rows_of_latest_delivery_per_year(relation) -%}
    select {{ relation }}.*
    from {{ relation }}
    inner join (
        select year, max(delivery_date) as delivery_date
        from {{ relation }}
        group by year
    ) as latest_for_year using (year, delivery_date)
{%- endmacro %}
