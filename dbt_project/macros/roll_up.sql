{#- Roll counts made at the area where they were reported (column area_code of
    `relation`) up to that area and each of its known ancestors: the one way every mart
    adds villages into townships, counties, cities and the province. -#}
{% macro roll_up(relation, keys, measures) -%}
    select
        {% for key in keys %}{{ relation }}.{{ key }}, {% endfor %}
        ancestors.ancestor_code as area_code,
        {% for measure in measures %}sum({{ relation }}.{{ measure }}) as {{ measure }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ relation }}
    inner join {{ ref('int_area_ancestors') }} as ancestors
        on ancestors.area_code = {{ relation }}.area_code
    group by all
{%- endmacro %}
