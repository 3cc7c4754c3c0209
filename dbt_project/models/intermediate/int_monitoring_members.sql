-- Members of each year's monitoring snapshot (the latest 防返贫 roster delivered in Y,
-- int_snapshots), with the area they count in (as registry rows do: the village, or its
-- nearest known ancestor), their age on Y-08-31 (from the ID number; the roster has no
-- birth date), whether their household is active on the snapshot date D (included on or
-- before D, risk not eliminated by then), whether its risk was eliminated on or before D,
-- and the registry household they belong to in Y, if any.
with

roster as ({{ snapshot_rows('monitoring', ref('stg_monitoring__members')) }}),

reported_areas as (select * from {{ ref('int_reported_areas') }}),

registered as (select year, id_number, household_id from {{ ref('int_registry_persons') }}),

final as (
    select
        roster.year,
        roster.snapshot_date,
        roster.monitor_household_id,
        roster.id_number,
        roster.name,
        roster.relation,
        roster.village_code,
        reported_areas.area_code,
        {{ county_code('roster.village_code') }} as county_code,
        roster.category,
        roster.main_risk,
        roster.per_capita_income,
        roster.included_date,
        roster.eliminated_date,
        roster.included_date <= roster.snapshot_date
            and (roster.eliminated_date is null or roster.eliminated_date > roster.snapshot_date)
            as is_active,
        coalesce(roster.eliminated_date <= roster.snapshot_date, false) as is_eliminated,
        {{ age_on(birth_date_for_age('roster.id_number', 'cast(null as date)'),
                  "make_date(cast(roster.year as integer), 8, 31)") }} as age_on_aug31,
        registered.household_id as registry_household_id
    from roster
    left join reported_areas on reported_areas.reported_code = roster.village_code
    left join registered
        on registered.year = roster.year and registered.id_number = roster.id_number
)

select * from final
