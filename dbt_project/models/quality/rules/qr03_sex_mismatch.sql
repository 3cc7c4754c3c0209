-- R03 (warning): the sex digit of a valid ID number (the 17th character, odd = 男)
-- differs from 性别.
{{ config(**year_incremental()) }}
with

registry as (
    select
        *,
        case when id_number_is_valid then
            case when cast(substr(id_number, 17, 1) as integer) % 2 = 1 then '男' else '女' end
        end as id_sex
    from {{ ref('int_registry_snapshot_rows') }}
    where {{ in_years_to_build('year') }}
),

checked as (
    select
        year, delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, id_number, name,
        case when id_sex <> sex
            then '证件号码性别位为' || id_sex || '，性别填报为' || sex
        end as detail
    from registry
),

final as ({{ rule_outcomes('R03', "'registry'") }})

select * from final
