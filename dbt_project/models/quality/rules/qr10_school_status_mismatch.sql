-- R10 (warning): the registry's 在校生状况 disagrees with education for school year
-- Y-(Y+1): 非在校生 but a 在读 record, or 小学/初中/高中/中职 but no 在读 record.
-- Checked: persons with one of those statuses, in years with an education snapshot.
{{ config(**year_incremental()) }}
with

persons as (
    select *
    from {{ ref('int_registry_persons') }}
    where school_status in ('非在校生', '小学', '初中', '高中', '中职') and {{ in_years_to_build('year') }}
),

education_snapshots as (
    select year as snapshot_year, snapshot_date
    from {{ ref('int_snapshots') }}
    where table_name = 'education' and {{ in_years_to_build('year') }}
),

enrolled as (
    select distinct year, id_number
    from {{ ref('int_program_evidence') }}
    where program = 'compulsory_education' and record_status = '在读' and {{ in_years_to_build('year') }}
),

checked as (
    select
        persons.year, persons.snapshot_date as delivery_date, persons.county_code,
        persons.village_code as area_code, persons.household_id as record_key,
        null as record_year, persons.id_number, persons.name,
        case
            when persons.school_status = '非在校生' and enrolled.id_number is not null
                then '在校生状况为非在校生，但教育部门' || persons.year || '-' || (persons.year + 1)
                    || '学年记录为在读'
            when persons.school_status <> '非在校生' and enrolled.id_number is null
                then '在校生状况为' || persons.school_status || '，但教育部门无' || persons.year
                    || '-' || (persons.year + 1) || '学年在读记录'
        end as detail
    from persons
    inner join education_snapshots on education_snapshots.snapshot_year = persons.year
    left join enrolled using (year, id_number)
),

final as ({{ rule_outcomes('R10', "'registry'") }})

select * from final
