-- Every area with each of its known ancestors, itself included: the one place where the
-- hierarchy is walked. Marts roll up by joining their counts on area_code and grouping
-- by ancestor_code.
with

areas as (select * from {{ ref('int_areas') }}),

candidates as (
    select
        areas.area_code,
        {{ ancestor_code('areas.area_code', 'depth') }} as ancestor_code
    from areas cross join {{ area_depths() }}
    where depths.depth <= areas.level_depth
),

final as (
    select
        candidates.area_code,
        candidates.ancestor_code,
        ancestors.level_depth as ancestor_depth
    from candidates
    inner join areas as ancestors on ancestors.area_code = candidates.ancestor_code
)

select * from final
