-- 部门筛查预警: per year, area and signal M01-M07, the signalled households (a person in
-- neither the registry nor the roster counts as a household of their own for M01), their
-- persons, and how many of them are monitored (the rest are 应纳未纳 candidates for a
-- visit); zeros included.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

signals as (
    select * from {{ constant_rows('signals', ['signal', 'signal_zh'], [
        ['M01', '因病 大额医疗自付'],
        ['M02', '收入低于监测标准'],
        ['M03', '收入大幅下降'],
        ['M04', '因学 义务教育失学'],
        ['M05', '未参保'],
        ['M06', '住房或饮水不安全'],
        ['M07', '低保退出仍低收入'],
    ]) }}
),

signalled as (select * from {{ ref('int_risk_signals') }} where area_code is not null),

counts_where_reported as (
    select
        year,
        signal,
        area_code,
        count(*) as households,
        sum(persons) as persons,
        count(*) filter (where is_monitored) as monitored_households
    from signalled
    group by all
),

counts as (
    {{ roll_up('counts_where_reported', ['year', 'signal'],
               ['households', 'persons', 'monitored_households']) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        signals.signal,
        signals.signal_zh,
        cast(coalesce(counts.households, 0) as bigint) as households,
        cast(coalesce(counts.persons, 0) as bigint) as persons,
        cast(coalesce(counts.monitored_households, 0) as bigint) as monitored_households
    from year_areas
    cross join signals
    left join counts
        on counts.year = year_areas.year
        and counts.area_code = year_areas.area_code
        and counts.signal = signals.signal
)

select *, households - monitored_households as unmonitored_households
from final
order by year, area_code, signal
