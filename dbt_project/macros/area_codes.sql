{#- The 12-digit code of the ancestor of `code` at `level` (1 province … 5 village):
    keep the level's prefix (2, 4, 6, 9, 12 digits) and pad with zeros. -#}
{% macro ancestor_code(code, level) -%}
    {%- set digits = [2, 4, 6, 9, 12] -%}
    {%- if level is number -%}
    rpad(left({{ code }}, {{ digits[level - 1] }}), 12, '0')
    {%- else -%}
    rpad(left({{ code }}, case {{ level }}{% for n in digits %} when {{ loop.index }} then {{ n }}{% endfor %} end), 12, '0')
    {%- endif -%}
{%- endmacro %}

{#- The five levels' depths, 1 province … 5 village, as a table `depths(depth)`. -#}
{% macro area_depths() -%}
    {{ constant_rows('depths', ['depth'], [1, 2, 3, 4, 5]) }}
{%- endmacro %}

{#- The county (first 6 digits, padded) an area code lies in. -#}
{% macro county_code(code) -%}
    {{ ancestor_code(code, 3) }}
{%- endmacro %}
