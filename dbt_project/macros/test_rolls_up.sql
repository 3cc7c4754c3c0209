{#- Roll-ups add up: an area's measure is at least the sum over its direct children (a
    person whose village is unknown counts at the parent, never at a child), and equal
    where the children cover all of the parent's records. -#}
{% test rolls_up(model, measures, keys) %}
with

rows as (select * from {{ model }}),

areas as (select area_code, parent_code from {{ ref('int_areas') }}),

children as (
    select
        {% for key in keys %}rows.{{ key }}, {% endfor %}
        areas.parent_code as area_code,
        {% for m in measures %}sum(rows.{{ m }}) as {{ m }}{{ "," if not loop.last }}{% endfor %}
    from rows
    inner join areas on areas.area_code = rows.area_code
    where areas.parent_code is not null
    group by all
)

select children.*
from children
inner join rows using ({{ (keys + ['area_code']) | join(', ') }})
where {% for m in measures %}children.{{ m }} > rows.{{ m }}{{ " or " if not loop.last }}{% endfor %}
{% endtest %}
