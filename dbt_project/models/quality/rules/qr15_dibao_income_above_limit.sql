-- R15 (warning, 应退则退): a person covered by dibao on D(dibao, Y) whose household's
-- per_capita_income exceeds twice the applicable dibao line.
{{ config(**year_incremental()) }}
with

persons as (select * from {{ ref('int_registry_persons') }} where {{ in_years_to_build('year') }}),

households as (select * from {{ ref('int_registry_households') }} where {{ in_years_to_build('year') }}),

coverage as (select * from {{ ref('int_dibao_coverage') }} where {{ in_years_to_build('year') }}),

checked as (
    select
        persons.year, persons.snapshot_date as delivery_date, persons.county_code,
        persons.village_code as area_code, persons.household_id as record_key,
        null as record_year, persons.id_number, persons.name,
        case when households.per_capita_income > 2 * households.dibao_line
            then '低保在保对象，家庭人均纯收入' || {{ money('households.per_capita_income') }}
                || '元超过低保标准' || {{ money('households.dibao_line') }} || '元的两倍'
        end as detail
    from persons
    inner join coverage using (year, id_number)
    inner join households using (year, household_id)
),

final as ({{ rule_outcomes('R15', "'registry'") }})

select * from final
