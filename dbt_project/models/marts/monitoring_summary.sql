-- 防返贫监测 per year and area: the roster (active households and persons, by category;
-- included and eliminated in the year) against what the departments' records show
-- (signalled households not monitored, 应纳未纳; eliminated ones signalled again,
-- 风险消除存疑; the share of signalled households that are monitored).
with

year_areas as (select * from {{ ref('int_year_areas') }}),

roster as (select * from {{ ref('int_monitored_households') }} where area_code is not null),

signalled as (
    select
        year,
        household_kind,
        household_key,
        max(area_code) as area_code,
        bool_or(is_monitored) as is_monitored,
        bool_or(risk_eliminated) as risk_eliminated
    from {{ ref('int_risk_signals') }}
    where area_code is not null
    group by year, household_kind, household_key
),

roster_counts as (
    select
        year,
        area_code,
        count(*) filter (where is_active) as active_households,
        sum(case when is_active then members else 0 end) as active_persons,
        count(*) filter (where is_active and category = '脱贫不稳定户') as active_unstable_households,
        count(*) filter (where is_active and category = '边缘易致贫户') as active_marginal_households,
        count(*) filter (where is_active and category = '突发严重困难户') as active_sudden_households,
        count(*) filter (where year(included_date) = year) as included_in_year,
        count(*) filter (where year(eliminated_date) = year) as eliminated_in_year,
        0 as signalled_households,
        0 as monitored_signalled_households,
        0 as unmonitored_signalled_households,
        0 as eliminated_but_signalled_households
    from roster
    group by all
),

signal_counts as (
    select
        year,
        area_code,
        0, 0, 0, 0, 0, 0, 0,
        count(*),
        count(*) filter (where is_monitored),
        count(*) filter (where not is_monitored),
        count(*) filter (where not is_monitored and risk_eliminated)
    from signalled
    group by all
),

counts_where_reported as (
    select * from roster_counts
    union all
    select * from signal_counts
),

{% set measures = ['active_households', 'active_persons', 'active_unstable_households',
                   'active_marginal_households', 'active_sudden_households', 'included_in_year',
                   'eliminated_in_year', 'signalled_households', 'monitored_signalled_households',
                   'unmonitored_signalled_households', 'eliminated_but_signalled_households'] %}

counts as (
    {{ roll_up('counts_where_reported', ['year'], measures) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        {% for measure in measures %}
        cast(coalesce(counts.{{ measure }}, 0) as bigint) as {{ measure }}{{ "," if not loop.last }}
        {% endfor %}
    from year_areas
    left join counts
        on counts.year = year_areas.year and counts.area_code = year_areas.area_code
)

select
    year,
    area_code,
    area_name,
    area_level,
    active_households,
    active_persons,
    active_unstable_households,
    active_marginal_households,
    active_sudden_households,
    included_in_year,
    eliminated_in_year,
    unmonitored_signalled_households,
    eliminated_but_signalled_households,
    {{ percent('monitored_signalled_households', 'signalled_households') }} as monitoring_coverage_pct
from final
order by year, area_code
