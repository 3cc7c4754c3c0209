{#- GB 11643-1999: 18 characters of the right form, a real birth date and the ISO 7064
    MOD 11-2 check character (the same rule as pipelines/feeds/idnumber.py). -#}
{% macro id_number_is_valid(id) -%}
    coalesce(
        {{ regex_full_match(id, '[0-9]{17}[0-9X]') }}
        and {{ date_from_digits('substr(' ~ id ~ ', 7, 8)') }} is not null
        and {{ id_number_check_character(id) }} = right({{ id }}, 1),
        false
    )
{%- endmacro %}

{#- The ISO 7064 MOD 11-2 check character the first 17 characters call for (NULL when they
    are not all digits), written out term by term: a list lambda per row cost DuckDB about a
    third more, and reading the 17 characters as one integer (its digits by integer
    division) twice as much. -#}
{% macro id_number_check_character(id) -%}
    substr('10X98765432', 1 + (
    {%- for weight in [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] %}
        {% if not loop.first %}+ {% endif %}try_cast(substr({{ id }}, {{ loop.index }}, 1) as integer) * {{ weight }}
    {%- endfor %}
    ) % 11, 1)
{%- endmacro %}

{#- The birth date the spec uses for age: from the ID number, or birth_date when the ID is
    invalid (`valid`: a column already holding id_number_is_valid, if there is one). -#}
{% macro birth_date_for_age(id, birth_date, valid=none) -%}
    case
        when {{ valid or id_number_is_valid(id) }} then {{ date_from_digits('substr(' ~ id ~ ', 7, 8)') }}
        else {{ birth_date }}
    end
{%- endmacro %}

{#- Completed years on a date: the birthday itself counts as reached. -#}
{% macro age_on(birth, on_date) -%}
    (year({{ on_date }}) - year({{ birth }})
        - case when month({{ birth }}) * 100 + day({{ birth }}) > month({{ on_date }}) * 100 + day({{ on_date }})
            then 1 else 0 end)
{%- endmacro %}

{#- Why an ID number breaks rule R01, in Chinese naming the column `label` (NULL when it is
    valid or missing). Names the wrong part, never the ID number itself; `public` leaves out
    the date digits too (what is published beside person_key). `valid`: a column already
    holding id_number_is_valid, if there is one. -#}
{% macro id_number_problem(label, id, public=false, valid=none) -%}
    case
        when {{ id }} is null or {{ valid or id_number_is_valid(id) }} then null
        when not {{ regex_full_match(id, '[0-9]{17}[0-9X]') }}
            then '{{ label }}不是18位（17位数字加校验码）：' || length({{ id }}) || '个字符'
    {%- if public %}
        when {{ date_from_digits('substr(' ~ id ~ ', 7, 8)') }} is null
            then '{{ label }}中的出生日期不是有效日期'
        else '{{ label }}校验码有误'
    {%- else %}
        when {{ date_from_digits('substr(' ~ id ~ ', 7, 8)') }} is null
            then '{{ label }}中的出生日期' || substr({{ id }}, 7, 8) || '不是有效日期'
        else '{{ label }}校验码应为' || {{ id_number_check_character(id) }} || '，实为' || right({{ id }}, 1)
    {%- endif %}
    end
{%- endmacro %}
