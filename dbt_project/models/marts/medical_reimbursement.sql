-- 住院费用综合保障报销比例: claims of registered persons of Y discharged in Y, per area
-- and in/out of county, after later versions of a claim replaced earlier ones.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

persons as (select * from {{ ref('int_registry_persons') }} where area_code is not null),

claims as (select * from {{ ref('int_claims_current') }}),

sides as (select * from (values (true), (false)) as sides(in_county)),

claims_of_persons as (
    select
        persons.year,
        persons.area_code,
        claims.in_county,
        count(*) as claims,
        sum(claims.total_cost) as total_cost,
        sum(claims.basic_paid + claims.critical_paid + claims.assistance_paid
            + claims.other_paid) as reimbursed
    from claims
    inner join persons
        on persons.id_number = claims.id_number
        and persons.year = year(claims.discharge_date)
    group by all
),

counts as (
    {{ roll_up('claims_of_persons', ['year', 'in_county'], ['claims', 'total_cost', 'reimbursed']) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        sides.in_county,
        cast(coalesce(counts.claims, 0) as bigint) as claims,
        cast(coalesce(counts.total_cost, 0) as decimal(18, 2)) as total_cost,
        cast(coalesce(counts.reimbursed, 0) as decimal(18, 2)) as reimbursed,
        cast(case when sides.in_county then {{ var('reimbursement_target_in_county_pct') }}
             else {{ var('reimbursement_target_out_county_pct') }} end as double) as target_pct
    from year_areas
    cross join sides
    left join counts
        on counts.year = year_areas.year
        and counts.area_code = year_areas.area_code
        and counts.in_county = sides.in_county
)

select
    year,
    area_code,
    area_name,
    area_level,
    in_county,
    claims,
    total_cost,
    reimbursed,
    {{ percent('reimbursed', 'total_cost') }} as reimbursement_pct,
    target_pct,
    {{ percent('reimbursed', 'total_cost') }} >= target_pct as meets_target
from final
order by year, area_code, in_county desc
