-- Suspicious year-over-year jumps (after DHIS2's outlier detection): each area's change of
-- an indicator compared with its siblings' changes (same parent, same level) by the
-- Iglewicz-Hoaglin modified z-score, z = 0.6745 (c − median) / MAD; when MAD is 0, the
-- mean absolute deviation stands in, (c − median) / (1.253314 × mean |c − median|); when
-- that is 0 too, z = 0. An area is scored, and counts as a sibling, only when the value's
-- denominator is at least outlier_min_denominator in both years, and a flag also needs a
-- change of at least outlier_min_change points: a village of 3 pupils going from 100 % to
-- 67 % is chance, not news. Values are the published marts' own, so a flagged jump is one a
-- statistician can see in them. A village whose incidence drops far faster than its
-- neighbours' is what the policy documents call 数字脱贫 risk.
with

areas as (select * from {{ ref('int_areas') }}),

reimbursement as (
    select
        year,
        area_code,
        {{ percent('sum(reimbursed)', 'sum(total_cost)') }} as value,
        cast(sum(claims) as bigint) as denominator  -- DuckDB sums to HUGEINT, Spark to BIGINT
    from {{ ref('medical_reimbursement') }}
    group by year, area_code
),

-- each value with its denominator: rural population, eligible persons, claims, persons
indicator_values as (
    select year, area_code, 'incidence_pct' as indicator, incidence_pct as value,
        rural_population as denominator
    from {{ ref('poverty_incidence') }}
    union all
    select year, area_code, 'coverage_pct:' || program, coverage_pct, eligible_persons
    from {{ ref('program_coverage') }}
    union all
    select year, area_code, 'reimbursement_pct', value, denominator
    from reimbursement
    union all
    select year, area_code, 'm0', m0, persons
    from {{ ref('multidimensional_poverty') }}
),

changes as (
    select
        current_year.year,
        current_year.area_code,
        current_year.indicator,
        current_year.value,
        previous_year.value as previous_value,
        {{ round_ratio('current_year.value - previous_year.value', 4) }} as change,
        current_year.denominator,
        previous_year.denominator as previous_denominator,
        -- small numbers swing by chance: scored, and a sibling, only on large enough ones
        coalesce(current_year.denominator >= {{ var('outlier_min_denominator') }}
            and previous_year.denominator >= {{ var('outlier_min_denominator') }},
            false) as is_scored
    from indicator_values as current_year
    inner join indicator_values as previous_year
        on previous_year.area_code = current_year.area_code
        and previous_year.indicator = current_year.indicator
        and previous_year.year = current_year.year - 1
    where current_year.value is not null and previous_year.value is not null
),

with_areas as (
    select
        changes.*,
        areas.area_name,
        areas.area_level,
        areas.level_depth,
        areas.parent_code
    from changes
    inner join areas using (area_code)
),

with_siblings as (
    select
        *,
        count(*) over siblings as siblings,
        median(change) over siblings as sibling_median_change
    from with_areas
    where is_scored
    window siblings as (partition by year, indicator, parent_code, area_level)
),

deviations as (
    select
        *,
        median(abs(change - sibling_median_change)) over siblings as mad,
        avg(abs(change - sibling_median_change)) over siblings as mean_absolute_deviation
    from with_siblings
    window siblings as (partition by year, indicator, parent_code, area_level)
),

scored as (
    select
        year,
        area_code,
        indicator,
        sibling_median_change,
        case
            when siblings < {{ var('outlier_min_siblings') }} then null
            when mad > 0 then 0.6745 * (change - sibling_median_change) / mad
            when mean_absolute_deviation > 0
                then (change - sibling_median_change) / (1.253314 * mean_absolute_deviation)
            else 0
        end as z
    from deviations
),

final as (
    select
        with_areas.*,
        scored.sibling_median_change,
        scored.z,
        -- m0 is a share (0-1): its 2 points are 0.02
        abs(with_areas.change) >= {{ var('outlier_min_change') }}
            * case when with_areas.indicator = 'm0' then 0.01 else 1 end as is_large_change
    from with_areas
    left join scored using (year, area_code, indicator)
)

select
    year,
    area_code,
    area_name,
    area_level,
    indicator,
    value,
    previous_value,
    change,
    {{ round_ratio('sibling_median_change', 4) }} as sibling_median_change,
    {{ round_ratio('z', 4) }} as modified_z,
    coalesce(abs(z) > {{ var('outlier_z_threshold') }} and is_large_change, false) as flagged,
    denominator,
    previous_denominator
from final
order by year, level_depth, area_code, indicator
