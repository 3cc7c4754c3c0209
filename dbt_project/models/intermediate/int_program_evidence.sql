-- What each department's snapshot of year Y (its latest loaded delivery dated in Y) says
-- about a person's programs: one row per record, naming the program it is evidence for
-- and whether it covers the person. The coverage rules of the spec live here:
--   dibao               在保, start_date <= D(dibao, Y) and (no end_date or end_date > D)
--   medical_insurance   an enrollment for year Y with status 正常参保 (either scheme)
--   compulsory_education  a record for school year Y-(Y+1) with status 在读 or 休学
--   education_aid       a 在读 record for school year Y-(Y+1) (eligible); covered if aid > 0
with

snapshots as (select * from {{ ref('int_snapshots') }}),

dibao as (
    select snapshots.year, snapshots.snapshot_date, dibao.*
    from {{ ref('stg_dibao__persons') }} as dibao
    inner join snapshots on snapshots.feed = 'dibao' and snapshots.snapshot_date = dibao.delivery_date
),

enrollment as (
    select snapshots.year as snapshot_year, enrollment.*
    from {{ ref('stg_medical__enrollment') }} as enrollment
    inner join snapshots
        on snapshots.feed = 'medical' and snapshots.snapshot_date = enrollment.delivery_date
),

education as (
    select snapshots.year, education.*
    from {{ ref('stg_education__records') }} as education
    inner join snapshots
        on snapshots.feed = 'education' and snapshots.snapshot_date = education.delivery_date
),

final as (
    select year, id_number, 'dibao' as program,
        status = '在保' and start_date <= snapshot_date
            and (end_date is null or end_date > snapshot_date) as covered
    from dibao
    union all
    select snapshot_year, id_number, 'medical_insurance', status = '正常参保'
    from enrollment
    where year = snapshot_year
    union all
    select year, id_number, 'compulsory_education', enrolment_status in ('在读', '休学')
    from education
    where school_year_start = year
    union all
    select year, id_number, 'education_aid', coalesce(aid_amount > 0, false)
    from education
    where school_year_start = year and enrolment_status = '在读'
)

select * from final
