-- R17 (error): a registry household with no 户主, or more than one.
{{ config(**year_incremental()) }}
with

households as (select * from {{ ref('int_registry_households') }} where {{ in_years_to_build('year') }}),

checked as (
    select
        year, snapshot_date as delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, null as id_number, null as name,
        case when heads <> 1 then '户内有' || heads || '名户主（应为1名），共' || member_rows || '人' end
            as detail
    from households
),

final as ({{ rule_outcomes('R17', "'registry'") }})

select * from final
