-- R11 (error): an inpatient claim (as it stands now) with a negative paid amount, paid
-- amounts adding up to more than 医疗总费用, or 出院日期 before 入院日期. The published
-- text gives the length of the gap, not the dates of the stay.
with

claims as (
    select
        *,
        basic_paid + critical_paid + assistance_paid + other_paid as paid_total
    from {{ ref('int_claims_with_area') }}
),

problems as (
    select
        *,
        nullif(concat_ws('；',
            case when basic_paid < 0 then '基本医保支付为负数' || {{ money('basic_paid') }} end,
            case when critical_paid < 0 then '大病保险支付为负数' || {{ money('critical_paid') }} end,
            case when assistance_paid < 0 then '医疗救助支付为负数' || {{ money('assistance_paid') }} end,
            case when other_paid < 0 then '其他保障支付为负数' || {{ money('other_paid') }} end,
            case when paid_total > total_cost then '各项支付合计' || {{ money('paid_total') }}
                || '元超过医疗总费用' || {{ money('total_cost') }} || '元' end
        ), '') as amount_problems,
        discharge_date < admit_date as discharged_before_admitted
    from claims
),

checked as (
    select
        year, delivery_date, county_code, area_code, claim_id as record_key,
        null as record_year, id_number, null as name,
        nullif(concat_ws('；', amount_problems,
            case when discharged_before_admitted
                then '出院日期' || discharge_date || '早于入院日期' || admit_date end
        ), '') as detail,
        nullif(concat_ws('；', amount_problems,
            case when discharged_before_admitted
                then '出院日期早于入院日期（相差 ' || {{ days_between('discharge_date', 'admit_date') }} || ' 天）' end
        ), '') as public_detail
    from problems
),

final as ({{ rule_outcomes('R11', "'medical'", public_detail='public_detail', yearly=false) }})

select * from final
