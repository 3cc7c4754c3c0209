-- R16 (warning): education aid (aid_amount > 0) on a record whose status is not 在读.
{{ config(**year_incremental()) }}
with

education as ({{ snapshot_rows('education', ref('stg_education__records')) }}),

checked as (
    select
        year, delivery_date, {{ county_code('area_code') }} as county_code, area_code,
        null as record_key, school_year_start as record_year, id_number, name,
        case when aid_amount > 0 and enrolment_status <> '在读'
            then '学籍状态为' || enrolment_status || '，但有资助金额' || {{ money('aid_amount') }}
                || '元（' || coalesce(aid_program, '未填资助项目') || '）'
        end as detail
    from education
),

final as ({{ rule_outcomes('R16', "'education'") }})

select * from final
