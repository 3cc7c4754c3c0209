-- R09 (error, 辍学风险): a registered person aged 6-15 on Y-08-31 with no 在读 or 休学
-- record for school year Y-(Y+1). Checked for years with an education snapshot.
{{ config(**year_incremental()) }}
with

persons as (
    select * from {{ ref('int_registry_persons') }}
    where age_on_aug31 between 6 and 15 and {{ in_years_to_build('year') }}
),

education_snapshots as (
    select year as snapshot_year, snapshot_date
    from {{ ref('int_snapshots') }}
    where table_name = 'education' and {{ in_years_to_build('year') }}
),

records as (
    select
        year,
        id_number,
        bool_or(covered) as covered,
        {{ sorted_string_agg('record_status', '、', distinct=true) }} as statuses
    from {{ ref('int_program_evidence') }}
    where program = 'compulsory_education' and {{ in_years_to_build('year') }}
    group by year, id_number
),

checked as (
    select
        persons.year, persons.snapshot_date as delivery_date, persons.county_code,
        persons.village_code as area_code, persons.household_id as record_key,
        null as record_year, persons.id_number, persons.name,
        case when not coalesce(records.covered, false)
            then persons.year || '年8月31日年满' || persons.age_on_aug31 || '周岁，无'
                || persons.year || '-' || (persons.year + 1) || '学年在读或休学记录（'
                || coalesce('学籍状态为' || records.statuses, '教育部门无此人学籍记录') || '）'
        end as detail
    from persons
    inner join education_snapshots on education_snapshots.snapshot_year = persons.year
    left join records using (year, id_number)
),

final as ({{ rule_outcomes('R09', "'registry'") }})

select * from final
