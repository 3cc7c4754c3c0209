-- What each department's snapshot of year Y (its latest loaded delivery dated in Y) says
-- about a person's programs: one row per record, naming the program it is evidence for,
-- the record's own status and whether it covers the person. The coverage rules of the
-- spec live here:
--   dibao               在保, start_date <= D(dibao, Y) and (no end_date or end_date > D)
--   medical_insurance   an enrollment for year Y with status 正常参保 (either scheme)
--   compulsory_education  a record for school year Y-(Y+1) with status 在读 or 休学
--   education_aid       a 在读 record for school year Y-(Y+1) (eligible); covered if aid > 0
{{ config(**year_incremental()) }}
with

dibao as (
    {{ snapshot_rows('dibao', ref('stg_dibao__persons')) }}
),

enrollment as (
    {{ snapshot_rows('medical_enrollment', ref('stg_medical__enrollment'), year_as='snapshot_year') }}
),

education as (
    {{ snapshot_rows('education', ref('stg_education__records')) }}
),

final as (
    select year, id_number, 'dibao' as program, status as record_status,
        status = '在保' and start_date <= snapshot_date
            and (end_date is null or end_date > snapshot_date) as covered
    from dibao
    union all
    select snapshot_year, id_number, 'medical_insurance', status, status = '正常参保'
    from enrollment
    where year = snapshot_year
    union all
    select year, id_number, 'compulsory_education', enrolment_status,
        enrolment_status in ('在读', '休学')
    from education
    where school_year_start = year
    union all
    select year, id_number, 'education_aid', enrolment_status, coalesce(aid_amount > 0, false)
    from education
    where school_year_start = year and enrolment_status = '在读'
)

select *, {{ year_build_columns('final.year') }}
from final
where {{ in_years_to_build('year') }}
