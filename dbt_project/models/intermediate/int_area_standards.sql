-- The applicable policy lines of every area and year: the standards row of that year
-- whose area_code is the most specific ancestor-or-self of the area (county before
-- province), from the latest standards delivery that holds the year.
with

standards as (select * from {{ ref('stg_standards__lines') }}),

ancestors as (select * from {{ ref('int_area_ancestors') }}),

current_standards as (
    {{ rows_of_latest_delivery_per_year('standards') }}
),

final as (
    select
        ancestors.area_code,
        current_standards.year,
        current_standards.area_code as standard_area_code,
        current_standards.poverty_line,
        current_standards.dibao_line,
        current_standards.exit_threshold_pct
    from ancestors
    inner join current_standards on current_standards.area_code = ancestors.ancestor_code
    qualify row_number() over (
        partition by ancestors.area_code, current_standards.year
        order by ancestors.ancestor_depth desc
    ) = 1
)

select * from final
