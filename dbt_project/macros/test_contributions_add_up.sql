{#- Shares add up: within each group the column sums to `total`, within the rounding of
    its values (half a unit of the last of 2 decimals per row); groups where every value
    is NULL (nothing to share) are exempt. -#}
{% test contributions_add_up(model, group_by, column, total) %}
select {{ group_by | join(', ') }}, sum({{ column }}) as total
from {{ model }}
group by {{ group_by | join(', ') }}
having count({{ column }}) > 0
    and abs(sum({{ column }}) - {{ total }}) > 0.005 * count(*)
{% endtest %}
