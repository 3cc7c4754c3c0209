-- The members of the households int_screened_households evaluates, one row per year,
-- household and person: the registry snapshot's persons for registry households (each
-- person once, as in every mart), the roster's members for the others.
with

households as (select * from {{ ref('int_screened_households') }}),

registry_persons as (select * from {{ ref('int_registry_persons') }}),

roster_members as (select * from {{ ref('int_monitoring_members') }}),

final as (
    select households.year, households.household_kind, households.household_key,
        registry_persons.id_number, registry_persons.age_on_aug31
    from households
    inner join registry_persons
        on registry_persons.year = households.year
        and registry_persons.household_id = households.household_key
    where households.household_kind = 'registry'
    union all
    select households.year, households.household_kind, households.household_key,
        roster_members.id_number, roster_members.age_on_aug31
    from households
    inner join roster_members
        on roster_members.year = households.year
        and roster_members.monitor_household_id = households.household_key
    where households.household_kind = 'roster'
)

select * from final
