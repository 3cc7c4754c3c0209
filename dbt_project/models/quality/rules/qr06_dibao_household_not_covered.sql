-- R06 (error, 两线合一): a registry household of type 低保贫困户 or 特困供养贫困户 none of
-- whose members is covered by dibao on D(dibao, Y). Checked for years with a dibao snapshot.
{{ config(**year_incremental()) }}
with

households as (select * from {{ ref('int_registry_households') }} where {{ in_years_to_build('year') }}),

members as (select * from {{ ref('int_registry_snapshot_rows') }} where {{ in_years_to_build('year') }}),

dibao_snapshots as (
    select year as snapshot_year, snapshot_date
    from {{ ref('int_snapshots') }}
    where table_name = 'dibao' and {{ in_years_to_build('year') }}
),

coverage as (select * from {{ ref('int_dibao_coverage') }} where {{ in_years_to_build('year') }}),

covered_members as (
    select members.year, members.household_id, count(coverage.id_number) as covered_members
    from members
    left join coverage using (year, id_number)
    group by members.year, members.household_id
),

checked as (
    select
        households.year, households.snapshot_date as delivery_date, households.county_code,
        households.village_code as area_code, households.household_id as record_key,
        null as record_year, null as id_number, null as name,
        case when covered_members.covered_members = 0
            then '贫困户属性为' || households.household_type || '，但户内' || households.member_rows
                || '人均不在' || dibao_snapshots.snapshot_date || '的低保名单中（在保）'
        end as detail,
        case when covered_members.covered_members = 0
            then '贫困户属性为' || households.household_type || '，但户内' || households.member_rows
                || '人均不在当年低保名单中（在保）'
        end as public_detail
    from households
    inner join dibao_snapshots on dibao_snapshots.snapshot_year = households.year
    inner join covered_members using (year, household_id)
    where households.household_type in ('低保贫困户', '特困供养贫困户')
),

final as ({{ rule_outcomes('R06', "'registry'", public_detail='public_detail') }})

select * from final
