-- 财政专项扶贫资金支出进度 per year, period, area (county and up) and fund source, plus
-- fund_source '全部' for all sources; the 90 % target is judged on the year's last period.
with

areas as (select * from {{ ref('int_areas') }} where area_level in ('county', 'city', 'province')),

funds as (select * from {{ ref('int_funds_snapshots') }}),

periods as (select distinct snapshot_year as year, period, last_period from funds),

sources as (
    select * from (values (1, '中央'), (2, '省级'), (3, '市级'), (4, '县级'), (5, '全部'))
        as sources(source_order, fund_source)
),

by_source as (
    select
        snapshot_year as year,
        period,
        county_code as area_code,
        fund_source,
        sum(allocated) as allocated,
        sum(disbursed) as disbursed,
        sum(spent) as spent
    from funds
    group by all
),

all_sources as (
    select year, period, area_code, '全部' as fund_source,
        sum(allocated) as allocated, sum(disbursed) as disbursed, sum(spent) as spent
    from by_source
    group by all
    union all
    select * from by_source
),

amounts as (
    {{ roll_up('all_sources', ['year', 'period', 'fund_source'], ['allocated', 'disbursed', 'spent']) }}
),

final as (
    select
        periods.year,
        periods.period,
        areas.area_code,
        areas.area_name,
        areas.area_level,
        sources.fund_source,
        cast(coalesce(amounts.allocated, 0) as decimal(18, 2)) as allocated,
        cast(coalesce(amounts.disbursed, 0) as decimal(18, 2)) as disbursed,
        cast(coalesce(amounts.spent, 0) as decimal(18, 2)) as spent,
        periods.period = periods.last_period as is_last_period,
        sources.source_order
    from periods
    cross join areas
    cross join sources
    left join amounts
        on amounts.year = periods.year
        and amounts.period = periods.period
        and amounts.area_code = areas.area_code
        and amounts.fund_source = sources.fund_source
)

select
    year,
    period,
    area_code,
    area_name,
    area_level,
    fund_source,
    allocated,
    disbursed,
    spent,
    {{ percent('disbursed', 'allocated') }} as disbursement_rate_pct,
    {{ percent('spent', 'allocated') }} as execution_rate_pct,
    cast({{ var('fund_execution_target_pct') }} as double) as target_pct,
    case when is_last_period
        then {{ percent('spent', 'allocated') }} >= {{ var('fund_execution_target_pct') }}
    end as meets_target
from final
order by year, period, area_code, source_order
