{#- Models land in the schema their layer names (staging, intermediate, marts), not in
    "<target>_<layer>": statisticians query marts.poverty_incidence. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
