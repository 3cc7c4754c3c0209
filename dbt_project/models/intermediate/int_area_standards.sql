-- The applicable policy lines of every area and year: the standards row of that year
-- whose area_code is the most specific ancestor-or-self of the area (county before
-- province), from the latest loaded standards delivery that holds the year.
with

standards as (select * from {{ ref('stg_standards__lines') }}),

ancestors as (select * from {{ ref('int_area_ancestors') }}),

latest_for_year as (
    select year, max(delivery_date) as delivery_date
    from standards
    group by year
),

current_standards as (
    select standards.*
    from standards
    inner join latest_for_year using (year, delivery_date)
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
