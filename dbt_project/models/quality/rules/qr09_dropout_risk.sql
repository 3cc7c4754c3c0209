-- R09 (error, 辍学风险): a registered person of compulsory-school age (aged 6-15 on
-- Y-08-31) with no 在读 or 休学 record for school year Y-(Y+1) (int_person_coverage, as
-- signal M04 reads it). Checked for years with an education snapshot.
{{ config(**year_incremental()) }}
with

persons as (
    select * from {{ ref('int_registry_persons') }}
    where {{ compulsory_school_age('age_on_aug31') }} and {{ in_years_to_build('year') }}
),

education_snapshots as (
    select year as snapshot_year, snapshot_date
    from {{ ref('int_snapshots') }}
    where table_name = 'education' and {{ in_years_to_build('year') }}
),

coverage as (
    select year, id_number, education_covered as covered
    from {{ ref('int_person_coverage') }}
    where {{ in_years_to_build('year') }}
),

-- the statuses, only of the persons not covered (as in R08)
statuses as (
    select evidence.year, evidence.id_number,
        {{ sorted_string_agg('evidence.record_status', '、', distinct=true) }} as statuses
    from {{ ref('int_program_evidence') }} as evidence
    inner join (select year, id_number from coverage where not covered) as uncovered
        on uncovered.year = evidence.year and uncovered.id_number = evidence.id_number
    where evidence.program = 'compulsory_education' and {{ in_years_to_build('evidence.year') }}
    group by evidence.year, evidence.id_number
),

records as (
    select coverage.year, coverage.id_number, coverage.covered, statuses.statuses
    from coverage
    left join statuses on statuses.year = coverage.year and statuses.id_number = coverage.id_number
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
