-- R17 (error): a registry household with no 户主, or more than one.
with

households as (select * from {{ ref('int_registry_households') }}),

checked as (
    select
        year, snapshot_date as delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, null as id_number, null as name,
        case when heads <> 1 then '户内有' || heads || '名户主（应为1名），共' || member_rows || '人' end
            as detail
    from households
),

final as (
    select {{ quality_columns('R17', "'registry'") }}
    from checked
)

select * from final
