{#- A share in percent (0-100), to 2 decimals, NULL where the denominator is 0: the one
    formula of every *_pct column. DOUBLE on both engines, as the marts spec says (Spark
    would keep a DECIMAL where DuckDB divides in DOUBLE). -#}
{% macro percent(numerator, denominator) -%}
    {{ round_ratio('cast(100 * (' ~ numerator ~ ') as double) / nullif(' ~ denominator ~ ', 0)', 2) }}
{%- endmacro %}

{#- A sum of money divided by a count, to the fen, rounded half up: exact on both engines
    (DuckDB divides decimals in DOUBLE, which made 816.295 come out 816.29). Integer
    arithmetic on fen; `amount` is non-negative, `count` positive or NULL where none. -#}
{% macro mean_money(amount, count) -%}
    cast(cast({{ integer_quotient('2 * cast(100 * (' ~ amount ~ ') as bigint) + (' ~ count ~ ')',
                                  '2 * (' ~ count ~ ')') }} as decimal(18, 0)) * 0.01 as decimal(18, 2))
{%- endmacro %}
