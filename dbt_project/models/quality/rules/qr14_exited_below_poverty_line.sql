-- R14 (warning, 数字脱贫 risk): a household marked 已脱贫 whose per_capita_income is below
-- the applicable poverty line. Checked: the 已脱贫 households.
{{ config(**year_incremental()) }}
with

households as (
    select * from {{ ref('int_registry_households') }}
    where poverty_status = '已脱贫' and {{ in_years_to_build('year') }}
),

checked as (
    select
        year, snapshot_date as delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, null as id_number, null as name,
        case when per_capita_income < poverty_line
            then '已脱贫，但家庭人均纯收入' || {{ money('per_capita_income') }} || '元低于扶贫标准'
                || {{ money('poverty_line') }} || '元'
        end as detail
    from households
),

final as ({{ rule_outcomes('R14', "'registry'") }})

select * from final
