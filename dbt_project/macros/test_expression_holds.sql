{#- Every row satisfies a SQL expression (covered <= eligible, a percentage in range …). -#}
{% test expression_holds(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
