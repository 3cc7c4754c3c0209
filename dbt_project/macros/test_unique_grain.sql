{#- One row per grain: no two rows share the values of `columns`. -#}
{% test unique_grain(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_in_grain
from {{ model }}
group by all
having count(*) > 1
{% endtest %}
