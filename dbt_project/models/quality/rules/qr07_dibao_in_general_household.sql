-- R07 (warning, 两线合一): a person covered by dibao on D(dibao, Y) whose registry household
-- (the one they are counted in) is 一般贫困户. Checked: the registered persons dibao covers.
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
        case when households.household_type = '一般贫困户'
            then '在' || coverage.snapshot_date || '的低保名单中在保，但所在户'
                || persons.household_id || '的贫困户属性为一般贫困户'
        end as detail,
        case when households.household_type = '一般贫困户'
            then '在当年低保名单中在保，但所在户的贫困户属性为一般贫困户'
        end as public_detail
    from persons
    inner join coverage using (year, id_number)
    inner join households using (year, household_id)
),

final as ({{ rule_outcomes('R07', "'registry'", public_detail='public_detail') }})

select * from final
