-- The households the risk signals are evaluated for in year Y (marts spec, "Risk
-- signals"), one row each: every 已脱贫 registry household (the head row's status) and
-- every unregistered household of the monitoring snapshot, active or not (a household
-- whose risk was eliminated can fall back). household_kind says which ('registry' or
-- 'roster'), household_key is its household_id or 监测户编号. A registry household is
-- monitored when a member belongs to an active household of the snapshot; a roster
-- household when it is active. risk_eliminated: a member belongs to a household of the
-- snapshot whose risk was eliminated on or before the snapshot date.
with

registry_households as (
    select * from {{ ref('int_registry_households') }} where poverty_status = '已脱贫'
),

registry_members as (select year, household_id, id_number from {{ ref('int_registry_persons') }}),

roster_members as (select * from {{ ref('int_monitoring_members') }}),

roster_households as (select * from {{ ref('int_monitored_households') }}),

registry_roster_states as (
    select
        registry_members.year,
        registry_members.household_id,
        count(*) as members,
        bool_or(coalesce(roster_members.is_active, false)) as is_monitored,
        bool_or(coalesce(roster_members.is_eliminated, false)) as risk_eliminated
    from registry_members
    left join roster_members
        on roster_members.year = registry_members.year
        and roster_members.id_number = registry_members.id_number
    group by registry_members.year, registry_members.household_id
),

final as (
    select
        registry_households.year,
        'registry' as household_kind,
        registry_households.household_id as household_key,
        registry_households.area_code,
        registry_households.county_code,
        registry_households.per_capita_income,
        registry_households.monitoring_line,
        registry_households.housing_safe,
        registry_households.water_safe,
        registry_roster_states.members,
        registry_roster_states.is_monitored,
        registry_roster_states.risk_eliminated
    from registry_households
    inner join registry_roster_states
        on registry_roster_states.year = registry_households.year
        and registry_roster_states.household_id = registry_households.household_id
    union all
    select
        year,
        'roster',
        monitor_household_id,
        area_code,
        county_code,
        per_capita_income,
        monitoring_line,
        cast(null as boolean),
        cast(null as boolean),
        members,
        is_active,
        is_eliminated
    from roster_households
    where not is_registered
)

select * from final
