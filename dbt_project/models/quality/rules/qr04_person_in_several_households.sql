-- R04 (error): the same ID number in more than one household of a snapshot. Every row of
-- such a person is flagged (the county decides which household is right); the marts
-- count the person once, in the household with the smallest household_id.
{{ config(**year_incremental()) }}
with

snapshot_rows as (
    select * from {{ ref('int_registry_snapshot_rows') }} where {{ in_years_to_build('year') }}
),

-- the few persons in several households (found where the persons are deduplicated: a
-- second grouping of every row by year and ID number cost a minute at 10 M persons)
several_households as (
    select year, id_number
    from {{ ref('int_registry_persons') }}
    where is_in_several_households and {{ in_years_to_build('year') }}
),

households_of_person as (
    select
        year,
        id_number,
        count(distinct household_id) as households,
        {{ sorted_string_agg('household_id', '、', distinct=true) }} as household_list,
        min(household_id) as counted_household
    from snapshot_rows
    inner join several_households using (year, id_number)
    group by year, id_number
),

registry as (
    select
        snapshot_rows.*,
        coalesce(households_of_person.households, 0) as households,
        households_of_person.household_list,
        households_of_person.counted_household
    from snapshot_rows
    left join households_of_person using (year, id_number)
),

checked as (
    select
        year, delivery_date, county_code, village_code as area_code,
        household_id as record_key, null as record_year, id_number, name,
        case when households > 1
            then '同一证件号码出现在' || households || '户：' || household_list
                || '（统计计入' || counted_household || '）'
        end as detail,
        case when households > 1
            then '同一证件号码出现在' || households || '户（统计计入户编号最小的一户）'
        end as public_detail
    from registry
),

final as ({{ rule_outcomes('R04', "'registry'", public_detail='public_detail') }})

select * from final
