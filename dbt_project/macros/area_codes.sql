{#- The 12-digit code of the ancestor of `code` at `level` (1 province … 5 village):
    keep the level's prefix (2, 4, 6, 9, 12 digits) and pad with zeros. -#}
{% macro ancestor_code(code, level) -%}
    rpad(left({{ code }}, [2, 4, 6, 9, 12][{{ level }}]), 12, '0')
{%- endmacro %}

{#- The county (first 6 digits, padded) an area code lies in. -#}
{% macro county_code(code) -%}
    {{ ancestor_code(code, 3) }}
{%- endmacro %}
