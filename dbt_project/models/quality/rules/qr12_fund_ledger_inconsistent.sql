-- R12 (error): a fund ledger row (project and period of the year's latest funds delivery)
-- with 拨付金额 > 下达金额 or 支出金额 > 拨付金额, or a cumulative amount lower than in
-- the project's previous period.
with

funds as (
    select
        *,
        lag(period) over project as previous_period,
        lag(allocated) over project as previous_allocated,
        lag(disbursed) over project as previous_disbursed,
        lag(spent) over project as previous_spent
    from {{ ref('int_funds_snapshots') }}
    window project as (partition by snapshot_year, project_id order by period)
),

checked as (
    select
        snapshot_year as year, delivery_date, county_code, county_code as area_code,
        project_id || '|' || period as record_key, null as record_year,
        null as id_number, null as name,
        nullif(concat_ws('；',
            case when disbursed > allocated then '拨付金额' || {{ money('disbursed') }}
                || '万元超过下达金额' || {{ money('allocated') }} || '万元' end,
            case when spent > disbursed then '支出金额' || {{ money('spent') }}
                || '万元超过拨付金额' || {{ money('disbursed') }} || '万元' end,
            case when allocated < previous_allocated then '累计下达金额从' || previous_period || '的'
                || {{ money('previous_allocated') }} || '万元降至' || {{ money('allocated') }} || '万元' end,
            case when disbursed < previous_disbursed then '累计拨付金额从' || previous_period || '的'
                || {{ money('previous_disbursed') }} || '万元降至' || {{ money('disbursed') }} || '万元' end,
            case when spent < previous_spent then '累计支出金额从' || previous_period || '的'
                || {{ money('previous_spent') }} || '万元降至' || {{ money('spent') }} || '万元' end
        ), '') as detail
    from funds
),

final as ({{ rule_outcomes('R12', "'funds'", yearly=false) }})

select * from final
