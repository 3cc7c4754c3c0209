-- The risk signals M01-M07 of 部门筛查预警 (marts spec, "Risk signals"): one row per year,
-- signalled unit and signal, with the unit's area, persons, whether it is monitored and
-- whether a member's risk was eliminated (风险消除存疑), and the figure that raised the
-- signal (for the visit list). A unit is a household of int_screened_households, or for
-- M01 a person in neither (household_kind 'person', household_key the ID number). Each
-- signal counts only for years in which the department it reads delivered, as R06-R10.
-- Money and thresholds compare in exact decimals.
with

households as (select * from {{ ref('int_screened_households') }}),

members as (select * from {{ ref('int_screened_members') }}),

snapshots as (select * from {{ ref('int_snapshots') }}),

coverage as (select * from {{ ref('int_person_coverage') }}),

dibao as (select * from {{ ref('int_dibao_coverage') }}),

registry_persons as (select year, id_number from {{ ref('int_registry_persons') }}),

roster_members as (select year, id_number from {{ ref('int_monitoring_members') }}),

areas as (select * from {{ ref('int_areas') }}),

claim_years as (select distinct year from snapshots where table_name = 'medical_claims'),

out_of_pocket as (
    select
        cast(year(claims.discharge_date) as integer) as year,
        claims.id_number,
        sum(greatest(claims.total_cost - (claims.basic_paid + claims.critical_paid
            + claims.assistance_paid + claims.other_paid), 0)) as out_of_pocket
    from {{ ref('int_claims_current') }} as claims
    inner join claim_years on claim_years.year = year(claims.discharge_date)
    group by all
),

household_out_of_pocket as (
    select members.year, members.household_kind, members.household_key,
        sum(out_of_pocket.out_of_pocket) as out_of_pocket
    from members
    inner join out_of_pocket
        on out_of_pocket.year = members.year and out_of_pocket.id_number = members.id_number
    group by all
),

enrollment_areas as (
    select snapshot_year as year, id_number, min(area_code) as area_code
    from ({{ snapshot_rows('medical_enrollment', ref('stg_medical__enrollment'), year_as='snapshot_year') }}) as enrollment
    where year = snapshot_year and area_code is not null
    group by snapshot_year, id_number
),

province as (select area_code from areas where area_level = 'province'),

persons_in_neither as (
    select
        out_of_pocket.year,
        out_of_pocket.id_number,
        out_of_pocket.out_of_pocket,
        coalesce(areas.area_code, province.area_code) as area_code
    from out_of_pocket
    cross join province
    left join registry_persons
        on registry_persons.year = out_of_pocket.year
        and registry_persons.id_number = out_of_pocket.id_number
    left join roster_members
        on roster_members.year = out_of_pocket.year
        and roster_members.id_number = out_of_pocket.id_number
    left join enrollment_areas
        on enrollment_areas.year = out_of_pocket.year
        and enrollment_areas.id_number = out_of_pocket.id_number
    left join areas on areas.area_code = enrollment_areas.area_code
    where registry_persons.id_number is null and roster_members.id_number is null
        and out_of_pocket.out_of_pocket >= {{ var('oop_threshold_person') }}
),

previous_households as (
    select year + 1 as year, household_id, per_capita_income as previous_income
    from {{ ref('int_registry_households') }}
),

member_signals as (
    -- M04: a member of compulsory-school age without 在读/休学 (R09's definition)
    select members.year, members.household_kind, members.household_key, 'M04' as signal,
        count(*) as member_count
    from members
    inner join (select distinct year from snapshots where table_name = 'education') as delivered
        on delivered.year = members.year
    left join coverage on coverage.year = members.year and coverage.id_number = members.id_number
    where {{ compulsory_school_age('members.age_on_aug31') }}
        and not coalesce(coverage.education_covered, false)
    group by all
    union all
    -- M05: a member without 正常参保 for Y (R08's definition)
    select members.year, members.household_kind, members.household_key, 'M05', count(*)
    from members
    inner join (select distinct year from snapshots where table_name = 'medical_enrollment') as delivered
        on delivered.year = members.year
    left join coverage on coverage.year = members.year and coverage.id_number = members.id_number
    where not coalesce(coverage.medical_covered, false)
    group by all
    union all
    -- M07 (first half): a member covered on D(dibao, Y-1) and not on D(dibao, Y)
    select members.year, members.household_kind, members.household_key, 'M07', count(*)
    from members
    inner join (select distinct year from snapshots where table_name = 'dibao') as delivered
        on delivered.year = members.year
    inner join dibao as covered_before
        on covered_before.year = members.year - 1 and covered_before.id_number = members.id_number
    left join dibao as covered_now
        on covered_now.year = members.year and covered_now.id_number = members.id_number
    where covered_now.id_number is null
    group by all
),

household_signals as (
    select households.year, households.household_kind, households.household_key, 'M01' as signal,
        households.year || '年住院自付合计' || {{ money('household_out_of_pocket.out_of_pocket') }} || '元' as detail
    from households
    inner join household_out_of_pocket
        on household_out_of_pocket.year = households.year
        and household_out_of_pocket.household_kind = households.household_kind
        and household_out_of_pocket.household_key = households.household_key
    where household_out_of_pocket.out_of_pocket >= {{ var('oop_threshold_household') }}
    union all
    select year, household_kind, household_key, 'M02',
        '人均纯收入' || {{ money('per_capita_income') }} || '元，低于监测标准'
            || {{ money('monitoring_line') }} || '元'
    from households
    where per_capita_income < monitoring_line
    union all
    select households.year, households.household_kind, households.household_key, 'M03',
        '人均纯收入由上年' || {{ money('previous_households.previous_income') }} || '元降至'
            || {{ money('households.per_capita_income') }} || '元'
    from households
    inner join previous_households
        on previous_households.year = households.year
        and previous_households.household_id = households.household_key
    where households.household_kind = 'registry' and previous_households.previous_income > 0
        and households.per_capita_income * 100
            <= previous_households.previous_income * (100 - {{ var('income_drop_pct') }})
    union all
    select year, household_kind, household_key, 'M06',
        case when not housing_safe and not water_safe then '住房、饮水均不安全'
             when not housing_safe then '住房不安全' else '饮水不安全' end
    from households
    where household_kind = 'registry' and (not housing_safe or not water_safe)
    union all
    select member_signals.year, member_signals.household_kind, member_signals.household_key,
        member_signals.signal,
        case member_signals.signal
            when 'M04' then member_signals.member_count || '名义务教育阶段成员无在读或休学记录'
            when 'M05' then member_signals.member_count || '名成员无正常参保记录'
            else member_signals.member_count || '名成员上年在保、今年退出低保，人均纯收入'
                || {{ money('households.per_capita_income') }} || '元低于监测标准'
        end
    from member_signals
    inner join households
        on households.year = member_signals.year
        and households.household_kind = member_signals.household_kind
        and households.household_key = member_signals.household_key
    where member_signals.signal <> 'M07' or households.per_capita_income < households.monitoring_line
),

final as (
    select
        household_signals.year,
        household_signals.household_kind,
        household_signals.household_key,
        household_signals.signal,
        household_signals.detail,
        households.area_code,
        households.county_code,
        households.members as persons,
        households.is_monitored,
        households.risk_eliminated
    from household_signals
    inner join households
        on households.year = household_signals.year
        and households.household_kind = household_signals.household_kind
        and households.household_key = household_signals.household_key
    union all
    select
        year,
        'person',
        id_number,
        'M01',
        year || '年住院自付' || {{ money('out_of_pocket') }} || '元（非建档立卡、非监测对象）',
        area_code,
        {{ county_code('area_code') }},
        1,
        false,
        false
    from persons_in_neither
)

select * from final
