-- 入户核实清单: for the latest registry year, one row per member of every signalled unit
-- that is not monitored (risk_signals' unmonitored_households: 应纳未纳 candidates), WITH
-- ID numbers and names for the cadres who visit them; those one of whose members' risk was
-- eliminated are marked 风险消除存疑. The household's signals, with their figures, on
-- every member's row. Restricted: written per county beside the worklists, never published.
with

latest as (select max(year) as year from {{ ref('int_snapshots') }} where table_name = 'registry'),

signals as (
    select signals.*
    from {{ ref('int_risk_signals') }} as signals
    inner join latest on latest.year = signals.year
    where not signals.is_monitored
),

units as (
    select
        year,
        household_kind,
        household_key,
        max(area_code) as area_code,
        max(county_code) as county_code,
        bool_or(risk_eliminated) as risk_eliminated,
        {{ sorted_string_agg("signal || ' ' || detail", '；', order_by='signal') }} as signals
    from signals
    group by year, household_kind, household_key
),

members as (
    select year, 'registry' as household_kind, household_id as household_key, id_number, name,
        relation
    from {{ ref('int_registry_persons') }}
    union all
    select year, 'roster', monitor_household_id, id_number, name, relation
    from {{ ref('int_monitoring_members') }}
),

enrolled_names as (
    select year, id_number, min(name) as name
    from {{ ref('stg_medical__enrollment') }}
    group by year, id_number
),

rows as (
    select units.*, members.id_number, members.name, members.relation
    from units
    inner join members
        on members.year = units.year
        and members.household_kind = units.household_kind
        and members.household_key = units.household_key
    union all
    select units.*, units.household_key, enrolled_names.name, cast(null as string)
    from units
    left join enrolled_names
        on enrolled_names.year = units.year and enrolled_names.id_number = units.household_key
    where units.household_kind = 'person'
),

areas as (select * from {{ ref('int_areas') }}),

final as (
    select
        rows.year,
        rows.county_code,
        counties.area_name as county_name,
        rows.area_code,
        areas.area_name,
        rows.household_kind,
        rows.household_key,
        rows.id_number,
        rows.name,
        rows.relation,
        rows.signals,
        rows.risk_eliminated
    from rows
    left join areas on areas.area_code = rows.area_code
    left join areas as counties on counties.area_code = rows.county_code
)

select * from final
