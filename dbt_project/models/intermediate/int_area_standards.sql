-- The applicable policy lines of every area and year: the standards row of that year
-- whose area_code is the most specific ancestor-or-self of the area (county before
-- province), from the latest standards delivery that holds the year. The monitoring line
-- (监测标准) is the row's own, or 1.5 x its poverty line when the row leaves it empty.
with

standards as (select * from {{ ref('stg_standards__lines') }}),

ancestors as (select * from {{ ref('int_area_ancestors') }}),

current_standards as (
    {{ rows_of_latest_delivery_per_year('standards') }}
),

applicable as (
    select
        ancestors.area_code,
        current_standards.year,
        current_standards.area_code as standard_area_code,
        current_standards.poverty_line,
        current_standards.dibao_line,
        current_standards.exit_threshold_pct,
        coalesce(current_standards.monitoring_line,
                 cast(current_standards.poverty_line * 1.5 as decimal(18, 2))) as monitoring_line,
        ancestors.ancestor_depth
    from ancestors
    inner join current_standards on current_standards.area_code = ancestors.ancestor_code
),

most_specific as (
    {{ first_row_of_each('applicable', 'area_code, year', 'ancestor_depth desc') }}
),

final as (
    select area_code, year, standard_area_code, poverty_line, dibao_line, exit_threshold_pct,
        monitoring_line
    from most_specific
)

select * from final
