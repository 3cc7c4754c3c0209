-- R05 (error): a 行政区划代码 that is not a village of the latest population delivery.
-- Registry: one record per household (its head's row states the code); dibao: per
-- certificate and code; education: per record (学校区划代码).
{{ config(**year_incremental()) }}
with

villages as (select area_code from {{ ref('int_areas') }} where area_level = 'village'),

households as (select * from {{ ref('int_registry_households') }} where {{ in_years_to_build('year') }}),

dibao as (
    select distinct year, delivery_date, certificate_no, village_code
    from ({{ snapshot_rows('dibao', ref('stg_dibao__persons')) }})
),

education as ({{ snapshot_rows('education', ref('stg_education__records')) }}),

reported as (
    select
        'registry' as feed, year, snapshot_date as delivery_date, village_code as reported_code,
        household_id as record_key, null as record_year, null as id_number, null as name,
        '行政区划代码' as label
    from households
    union all
    select 'dibao', year, delivery_date, village_code, certificate_no, null, null, null, '行政区划代码'
    from dibao
    union all
    select 'education', year, delivery_date, area_code, null, school_year_start, id_number, name,
        '学校区划代码'
    from education
),

checked as (
    select
        reported.feed, reported.year, reported.delivery_date,
        {{ county_code('reported.reported_code') }} as county_code,
        reported.reported_code as area_code,
        reported.record_key, reported.record_year, reported.id_number, reported.name,
        case when villages.area_code is null
            then reported.label || reported.reported_code || '不是最新人口数据中的村级区划'
        end as detail,
        case when villages.area_code is null
            then reported.label || '（见 area_code）不是最新人口数据中的村级区划'
        end as public_detail
    from reported
    left join villages on villages.area_code = reported.reported_code
),

final as ({{ rule_outcomes('R05', 'feed', public_detail='public_detail') }})

select * from final
