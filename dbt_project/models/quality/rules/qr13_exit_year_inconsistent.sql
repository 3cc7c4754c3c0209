-- R13 (error): a household's 脱贫状态 and 脱贫年度 disagree: 已脱贫 without 脱贫年度,
-- 脱贫年度 before 识别年度 or after the snapshot year, or 未脱贫 with a 脱贫年度.
{{ config(**year_incremental()) }}
with

households as (select * from {{ ref('int_registry_households') }} where {{ in_years_to_build('year') }}),

checked as (
    select
        year, snapshot_date as delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, null as id_number, null as name,
        nullif(concat_ws('；',
            case when poverty_status = '已脱贫' and exit_year is null then '脱贫状态为已脱贫，但无脱贫年度' end,
            case when poverty_status = '未脱贫' and exit_year is not null
                then '脱贫状态为未脱贫，但有脱贫年度' || exit_year end,
            case when exit_year < identified_year
                then '脱贫年度' || exit_year || '早于识别年度' || identified_year end,
            case when exit_year > year then '脱贫年度' || exit_year || '晚于数据年度' || year end
        ), '') as detail
    from households
),

final as ({{ rule_outcomes('R13', "'registry'") }})

select * from final
