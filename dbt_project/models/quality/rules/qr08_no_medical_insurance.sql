-- R08 (error): a registered person with no 正常参保 enrollment for year Y in the medical
-- snapshot of Y. Checked for years with a medical snapshot.
with

persons as (select * from {{ ref('int_registry_persons') }}),

medical_snapshots as (
    select year as snapshot_year, snapshot_date
    from {{ ref('int_snapshots') }}
    where table_name = 'medical_enrollment'
),

enrollment as (
    select
        year,
        id_number,
        bool_or(covered) as covered,
        -- only read for persons with no covered record; building it for every person
        -- was the rule's main cost
        string_agg(distinct record_status, '、' order by record_status)
            filter (where not covered) as statuses
    from {{ ref('int_program_evidence') }}
    where program = 'medical_insurance'
    group by year, id_number
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

final as (
    select {{ quality_columns('R08', "'registry'", public_detail='public_detail') }}
    from checked
)

select * from final
