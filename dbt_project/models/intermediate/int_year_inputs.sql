-- What each year's rows of the year-incremental models (the registry persons, households,
-- programs and deprivations: macros/year_incremental.sql) are made from, as one digest per
-- year: that year's snapshots of the tables they read (date and content fingerprint of the
-- delivery), the area tree every year's village codes are placed in, and the policy lines
-- that apply in that year. The reference feeds count by content, not by delivery: a new
-- population or standards delivery that changes no area and no line of a year leaves that
-- year standing. A year whose digest differs from the one its rows were built from is
-- rebuilt; the others stand.
{%- set yearly_tables = ['registry', 'dibao', 'medical_enrollment', 'education'] %}
with

snapshots as (select * from {{ ref('int_snapshots') }}),

deliveries as (select * from {{ ref('stg_ingest__deliveries') }} where status = 'loaded'),

yearly_snapshots as (
    select
        snapshots.year,
        {{ sorted_string_agg("concat_ws('|', snapshots.table_name, snapshots.snapshot_date, deliveries.fingerprint)",
                             ';', order_by='snapshots.table_name') }} as snapshots
    from snapshots
    inner join deliveries
        on deliveries.feed = snapshots.feed and deliveries.delivery_date = snapshots.snapshot_date
    where snapshots.table_name in ('{{ yearly_tables | join("', '") }}')
    group by snapshots.year
),

area_tree as (
    select md5(coalesce({{ sorted_string_agg(
        "concat_ws('|', area_code, area_name, area_level, level_depth, parent_code)", ';',
        order_by='area_code') }}, '')) as digest
    from {{ ref('int_areas') }}
),

yearly_lines as (
    select
        year,
        md5({{ sorted_string_agg("concat_ws('|', area_code, standard_area_code, poverty_line, dibao_line,
                                 exit_threshold_pct)", ';', order_by='area_code') }}) as digest
    from {{ ref('int_area_standards') }}
    group by year
),

final as (
    select
        yearly_snapshots.year,
        md5(concat_ws('#', yearly_snapshots.snapshots, area_tree.digest,
                      coalesce(yearly_lines.digest, ''))) as inputs_digest
    from yearly_snapshots
    cross join area_tree
    left join yearly_lines using (year)
)

select * from final
