-- R08 (error): a registered person with no 正常参保 enrollment for year Y in the medical
-- snapshot of Y (int_person_coverage, as signal M05 reads it). Checked for years with a
-- medical snapshot.
{{ config(**year_incremental()) }}
with

persons as (select * from {{ ref('int_registry_persons') }} where {{ in_years_to_build('year') }}),

medical_snapshots as (
    select year as snapshot_year, snapshot_date
    from {{ ref('int_snapshots') }}
    where table_name = 'medical_enrollment' and {{ in_years_to_build('year') }}
),

medical_evidence as (
    select * from {{ ref('int_program_evidence') }}
    where program = 'medical_insurance' and {{ in_years_to_build('year') }}
),

coverage as (
    select year, id_number, medical_covered as covered
    from {{ ref('int_person_coverage') }}
    where {{ in_years_to_build('year') }}
),

-- the statuses, only of the few persons not covered: a distinct string aggregate for
-- every person would be most of the rule's cost
statuses as (
    select year, id_number, {{ sorted_string_agg('record_status', '、', distinct=true) }} as statuses
    from medical_evidence
    inner join (select year, id_number from coverage where not covered) as uncovered
        using (year, id_number)
    group by year, id_number
),

enrollment as (
    select coverage.year, coverage.id_number, coverage.covered, statuses.statuses
    from coverage
    left join statuses using (year, id_number)
),

checked as (
    select
        persons.year, persons.snapshot_date as delivery_date, persons.county_code,
        persons.village_code as area_code, persons.household_id as record_key,
        null as record_year, persons.id_number, persons.name,
        case when not coalesce(enrollment.covered, false)
            then persons.year || '年无正常参保记录（' || coalesce(
                '医保参保状态为' || enrollment.statuses,
                medical_snapshots.snapshot_date || '的医保参保数据中无此人') || '）'
        end as detail,
        case when not coalesce(enrollment.covered, false)
            then persons.year || '年无正常参保记录（' || coalesce(
                '医保参保状态为' || enrollment.statuses, '当年医保参保数据中无此人') || '）'
        end as public_detail
    from persons
    inner join medical_snapshots on medical_snapshots.snapshot_year = persons.year
    left join enrollment using (year, id_number)
),

final as ({{ rule_outcomes('R08', "'registry'", public_detail='public_detail') }})

select * from final
