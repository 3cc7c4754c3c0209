-- 四卡分类 (湘阴 2020 §三(一)): every registry household of Y on exactly one of 红卡
-- (未脱贫/返贫), 黄卡 (已脱贫 and monitored, or signalled by M01-M07) and 绿卡 (the other
-- 已脱贫), and 蓝卡 counting the active unregistered households of the monitoring
-- snapshot; per year, area and card, zeros included.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

cards as (
    select * from {{ constant_rows('cards', ['card_order', 'card', 'card_zh'], [
        [1, 'red', '红卡（未脱贫户）'],
        [2, 'yellow', '黄卡（脱贫不稳定户）'],
        [3, 'green', '绿卡（稳定脱贫户）'],
        [4, 'blue', '蓝卡（档外边缘户）'],
    ]) }}
),

registry_households as (select * from {{ ref('int_registry_households') }}),

registry_persons as (
    select year, household_id, count(*) as persons
    from {{ ref('int_registry_persons') }}
    group by year, household_id
),

screened as (
    select * from {{ ref('int_screened_households') }} where household_kind = 'registry'
),

signalled as (
    select distinct year, household_key
    from {{ ref('int_risk_signals') }}
    where household_kind = 'registry'
),

carded as (
    select
        registry_households.year,
        registry_households.area_code,
        case
            when registry_households.poverty_status in ('未脱贫', '返贫') then 'red'
            when screened.is_monitored or signalled.household_key is not null then 'yellow'
            else 'green'
        end as card,
        coalesce(registry_persons.persons, 0) as persons
    from registry_households
    left join registry_persons
        on registry_persons.year = registry_households.year
        and registry_persons.household_id = registry_households.household_id
    left join screened
        on screened.year = registry_households.year
        and screened.household_key = registry_households.household_id
    left join signalled
        on signalled.year = registry_households.year
        and signalled.household_key = registry_households.household_id
    where registry_households.area_code is not null
    union all
    select year, area_code, 'blue', members
    from {{ ref('int_monitored_households') }}
    where is_active and not is_registered and area_code is not null
),

counts_where_reported as (
    select year, card, area_code, count(*) as households, sum(persons) as persons
    from carded
    group by all
),

counts as (
    {{ roll_up('counts_where_reported', ['year', 'card'], ['households', 'persons']) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        cards.card,
        cards.card_zh,
        cast(coalesce(counts.households, 0) as bigint) as households,
        cast(coalesce(counts.persons, 0) as bigint) as persons,
        cards.card_order
    from year_areas
    cross join cards
    left join counts
        on counts.year = year_areas.year
        and counts.area_code = year_areas.area_code
        and counts.card = cards.card
)

select
    year,
    area_code,
    area_name,
    area_level,
    card,
    card_zh,
    households,
    persons,
    case when card <> 'blue' then
        {{ percent('households', "sum(case when card <> 'blue' then households end) over (partition by year, area_code)") }}
    end as households_pct
from final
order by year, area_code, card_order
