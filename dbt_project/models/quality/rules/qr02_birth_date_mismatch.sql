-- R02 (warning): the birth date in a valid ID number differs from 出生日期.
{{ config(**year_incremental()) }}
with

registry as (
    select
        *,
        case when id_number_is_valid
            then {{ date_from_digits('substr(id_number, 7, 8)') }} end as id_birth_date
    from {{ ref('int_registry_snapshot_rows') }}
    where {{ in_years_to_build('year') }}
),

checked as (
    select
        year, delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, id_number, name,
        case when id_birth_date <> birth_date
            then '证件号码中的出生日期' || id_birth_date || '与出生日期' || birth_date || '不一致'
        end as detail,
        case when id_birth_date <> birth_date
            then '出生日期与证件号码不一致（相差 ' || abs({{ days_between('birth_date', 'id_birth_date') }}) || ' 天）'
        end as public_detail
    from registry
),

final as ({{ rule_outcomes('R02', "'registry'", public_detail='public_detail') }})

select * from final
