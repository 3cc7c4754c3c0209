{#- Where DuckDB and Spark SQL spell the same thing differently: one macro per difference,
    dispatched on the adapter (default__ = DuckDB, spark__ = Spark), so that every model
    exists once. Everything else in the models is SQL both engines read alike (checked by
    tests/test_spark_equality.py, which builds every mart on both and compares them). -#}

{#- `text` matches the regular expression `pattern` as a whole. -#}
{% macro regex_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'povmon')(text, pattern)) }}
{%- endmacro %}
{% macro default__regex_full_match(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__regex_full_match(text, pattern) -%}
    ({{ text }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{#- The date written as eight digits YYYYMMDD in `text`; NULL when it is no real date. -#}
{% macro date_from_digits(text) -%}
    {{ return(adapter.dispatch('date_from_digits', 'povmon')(text)) }}
{%- endmacro %}
{% macro default__date_from_digits(text) -%}
    cast(try_strptime({{ text }}, '%Y%m%d') as date)
{%- endmacro %}
{% macro spark__date_from_digits(text) -%}
    to_date({{ text }}, 'yyyyMMdd')
{%- endmacro %}

{#- `value` of the row that sorts first by `order_by` (a list of expressions, each ascending
    and never NULL: the engines order a NULL inside a struct differently), NULL when that
    row's value is: DuckDB's ordered aggregate, Spark's min_by over a struct of the keys.
    DuckDB's arg_min_null over a struct key gives the same and is slower (a third more on
    the household models at province scale); plain arg_min would skip a NULL value for the
    next row's. -#}
{% macro first_by(value, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'povmon')(value, order_by)) }}
{%- endmacro %}
{% macro default__first_by(value, order_by) -%}
    first({{ value }} order by {{ order_by | join(', ') }})
{%- endmacro %}
{% macro spark__first_by(value, order_by) -%}
    min_by({{ value }}, struct({{ order_by | join(', ') }}))
{%- endmacro %}

{#- The distinct (or all) values of `text` joined by `separator`, sorted by themselves or by
    the expression `order_by` (ascending). -#}
{% macro sorted_string_agg(text, separator, distinct=false, order_by=none) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'povmon')(text, separator, distinct, order_by or text)) }}
{%- endmacro %}
{% macro default__sorted_string_agg(text, separator, distinct, order_by) -%}
    string_agg({{ 'distinct ' if distinct }}{{ text }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}
{#- Spark 4.3's string_agg ... within group fails inside larger plans (a ClassCastException
    in ListAgg when the optimizer rewrites it), so: the values collected, sorted, joined;
    NULL when there is none, as string_agg gives. -#}
{% macro spark__sorted_string_agg(text, separator, distinct, order_by) -%}
    case when count({{ text }}) > 0 then array_join(
    {%- if distinct and order_by == text -%}
        array_sort(collect_set({{ text }}))
    {%- else -%}
        transform(array_sort(collect_{{ 'set' if distinct else 'list' }}(
            case when {{ text }} is not null then struct({{ order_by }} as sort_key, {{ text }} as text) end)),
            entry -> entry.text)
    {%- endif -%}
    , '{{ separator }}') end
{%- endmacro %}

{#- One row per whole number from `first` to `last`, both included, as a select item
    (`select {{ integer_series('a', 'b') }} as n from ...`). -#}
{% macro integer_series(first, last) -%}
    {{ return(adapter.dispatch('integer_series', 'povmon')(first, last)) }}
{%- endmacro %}
{% macro default__integer_series(first, last) -%}
    unnest(generate_series({{ first }}, {{ last }}))
{%- endmacro %}
{% macro spark__integer_series(first, last) -%}
    explode(sequence({{ first }}, {{ last }}))
{%- endmacro %}

{#- Money in a detail text: thousands separators, two decimals (1,234.50). -#}
{% macro money(amount) -%}
    {{ return(adapter.dispatch('money', 'povmon')(amount)) }}
{%- endmacro %}
{% macro default__money(amount) -%}
    format('{:,.2f}', {{ amount }})
{%- endmacro %}
{% macro spark__money(amount) -%}
    format_number({{ amount }}, 2)
{%- endmacro %}

{#- `*` without the columns `except` (DuckDB's `* exclude`, Spark's `* except`). -#}
{% macro star_except(except) -%}
    {{ return(adapter.dispatch('star_except', 'povmon')(except)) }}
{%- endmacro %}
{% macro default__star_except(except) -%}
    * exclude ({{ except | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(except) -%}
    * except ({{ except | join(', ') }})
{%- endmacro %}

{#- A table `name` of constant rows with the columns `columns`; `rows` a list of lists, or
    of values for one column: `from {{ constant_rows('depths', ['depth'], [1, 2, 3]) }}`. -#}
{% macro constant_rows(name, columns, rows) -%}
    (values {% for row in rows -%}
        {%- set values = row if row is iterable and row is not string else [row] -%}
        ({% for value in values %}{{ "'" ~ value ~ "'" if value is string else value }}{{ ", " if not loop.last }}{% endfor %}){{ ", " if not loop.last }}
    {%- endfor %}) as {{ name }}({{ columns | join(', ') }})
{%- endmacro %}

{#- The first row of each group of `relation` (a CTE or ref) by `order_by` within
    `partition_by`: what DuckDB writes with `qualify row_number() ... = 1`, which Spark
    lacks. Every column of `relation`. -#}
{% macro first_row_of_each(relation, partition_by, order_by) -%}
    select {{ star_except(['row_of_group']) }}
    from (
        select *, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as row_of_group
        from {{ relation }}
    ) as ranked
    where row_of_group = 1
{%- endmacro %}

{#- The columns of `relation` as a select list, in its order, leaving out `except` and giving
    `replace` (name -> expression) new values: DuckDB's `* exclude (...) replace (...)`,
    spelled out from the relation's columns so that Spark reads it too. `*` while dbt
    only parses. -#}
{% macro columns_of(relation, except=[], replace={}) -%}
    {%- if not execute -%}{{ return('*') }}{%- endif -%}
    {%- set items = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- set name = column.name | lower -%}
        {%- if name in replace -%}
            {%- do items.append(replace[name] ~ ' as ' ~ name) -%}
        {%- elif name not in except -%}
            {%- do items.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(items | join(', ')) }}
{%- endmacro %}

{#- Whole days from the date `start` to the date `end` (positive when `end` is later). -#}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between', 'povmon')(start, end)) }}
{%- endmacro %}
{% macro default__days_between(start, end) -%}
    date_diff('day', {{ start }}, {{ end }})
{%- endmacro %}
{% macro spark__days_between(start, end) -%}
    datediff({{ end }}, {{ start }})
{%- endmacro %}

{#- Integer division rounding down, of non-negative integers. -#}
{% macro integer_quotient(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_quotient', 'povmon')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__integer_quotient(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}
{% macro spark__integer_quotient(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#- A DOUBLE ratio rounded to `decimals`, half away from zero, of its exact binary value (as
    DuckDB's round does; Spark's round reads the shortest decimal that prints the double,
    pipelines/warehouse/spark/rounding.py). -#}
{% macro round_ratio(value, decimals) -%}
    {{ return(adapter.dispatch('round_ratio', 'povmon')(value, decimals)) }}
{%- endmacro %}
{% macro default__round_ratio(value, decimals) -%}
    round({{ value }}, {{ decimals }})
{%- endmacro %}
{% macro spark__round_ratio(value, decimals) -%}
    povmon_round({{ value }}, {{ decimals }})
{%- endmacro %}
