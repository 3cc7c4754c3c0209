-- Where a village code reported in a registry or monitoring snapshot counts: itself when
-- it is a village of the latest population delivery, else its nearest known ancestor (rule
-- R05), else nowhere (NULL).
with

areas as (select * from {{ ref('int_areas') }}),

reported as (
    select registry.village_code as reported_code
    from {{ ref('stg_registry__persons') }} as registry
    inner join {{ ref('int_snapshots') }} as snapshots
        on snapshots.table_name = 'registry' and snapshots.snapshot_date = registry.delivery_date
    union
    select roster.village_code
    from {{ ref('stg_monitoring__members') }} as roster
    inner join {{ ref('int_snapshots') }} as snapshots
        on snapshots.table_name = 'monitoring' and snapshots.snapshot_date = roster.delivery_date
),

-- each reported code's five possible ancestors, worked out before the join: a join on the
-- expression itself is planned as a nested loop over codes × areas
ancestors as (
    select
        reported.reported_code,
        {{ ancestor_code('reported.reported_code', 'depths.depth') }} as ancestor_code
    from reported cross join {{ area_depths() }}
),

candidates as (
    select
        ancestors.reported_code,
        areas.area_code,
        areas.level_depth
    from ancestors
    inner join areas on areas.area_code = ancestors.ancestor_code
),

final as (
    select
        reported.reported_code,
        max_by(candidates.area_code, candidates.level_depth) as area_code,
        coalesce(max(candidates.level_depth) = 5, false) as is_known_village
    from reported
    left join candidates on candidates.reported_code = reported.reported_code
    group by reported.reported_code
)

select * from final
