{#- GB 11643-1999: 18 characters of the right form, a real birth date and the ISO 7064
    MOD 11-2 check character (the same rule as pipelines/feeds/idnumber.py). -#}
{% macro id_number_is_valid(id) -%}
    coalesce(
        regexp_full_match({{ id }}, '[0-9]{17}[0-9X]')
        and try_strptime(substr({{ id }}, 7, 8), '%Y%m%d') is not null
        and substr('10X98765432', 1 + cast(list_sum(list_transform(range(1, 18), lambda i:
                try_cast(substr({{ id }}, i, 1) as integer)
                * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i])) % 11 as integer), 1)
            = right({{ id }}, 1),
        false
    )
{%- endmacro %}

{#- The birth date the spec uses for age: from the ID number, or birth_date when the ID is
    invalid. -#}
{% macro birth_date_for_age(id, birth_date) -%}
    case
        when {{ id_number_is_valid(id) }} then cast(strptime(substr({{ id }}, 7, 8), '%Y%m%d') as date)
        else {{ birth_date }}
    end
{%- endmacro %}

{#- Completed years on a date: the birthday itself counts as reached. -#}
{% macro age_on(birth, on_date) -%}
    (year({{ on_date }}) - year({{ birth }})
        - case when strftime({{ birth }}, '%m%d') > strftime({{ on_date }}, '%m%d') then 1 else 0 end)
{%- endmacro %}
