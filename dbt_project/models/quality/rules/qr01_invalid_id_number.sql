-- R01 (error): an ID number that is not 18 characters of the right form, carries an
-- impossible birth date or a wrong check character, in every feed that has one. Each
-- record of each yearly snapshot (registry, dibao, enrollment, education) is checked here,
-- year by year; the claims, which are not snapshots, in qr01_invalid_claim_id_number.
{{ config(**year_incremental()) }}
with

registry as (
    select * from {{ ref('int_registry_snapshot_rows') }} where {{ in_years_to_build('year') }}
),

dibao as ({{ snapshot_rows('dibao', ref('stg_dibao__persons')) }}),

enrollment as (
    {{ snapshot_rows('medical_enrollment', ref('stg_medical__enrollment'), year_as='snapshot_year') }}
),

education as ({{ snapshot_rows('education', ref('stg_education__records')) }}),

checked as (
    select
        'registry' as feed, year, delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, id_number, name,
        {{ id_number_problem('证件号码', 'id_number', valid='id_number_is_valid') }} as detail,
        {{ id_number_problem('证件号码', 'id_number', public=true, valid='id_number_is_valid') }}
            as public_detail
    from registry
    union all
    select
        'dibao', year, delivery_date, {{ county_code('village_code') }}, village_code,
        certificate_no, null, id_number, name,
        nullif(concat_ws('；', {{ id_number_problem('证件号码', 'id_number') }},
                         {{ id_number_problem('户主证件号码', 'head_id_number') }}), ''),
        nullif(concat_ws('；', {{ id_number_problem('证件号码', 'id_number', public=true) }},
                         {{ id_number_problem('户主证件号码', 'head_id_number', public=true) }}), '')
    from dibao
    union all
    select
        'medical', snapshot_year, delivery_date, {{ county_code('area_code') }}, area_code,
        null, year, id_number, name, {{ id_number_problem('证件号码', 'id_number') }},
        {{ id_number_problem('证件号码', 'id_number', public=true) }}
    from enrollment
    union all
    select
        'education', year, delivery_date, {{ county_code('area_code') }}, area_code,
        null, school_year_start, id_number, name, {{ id_number_problem('证件号码', 'id_number') }},
        {{ id_number_problem('证件号码', 'id_number', public=true) }}
    from education
),

final as ({{ rule_outcomes('R01', 'feed', public_detail='public_detail') }})

select * from final
