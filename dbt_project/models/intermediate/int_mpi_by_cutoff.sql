-- The Alkire-Foster counts of every year, area and cutoff k that a mart asks for (the
-- sensitivity grid 0.2 … 1.0 and the cutoff of multidimensional_poverty), rolled up from
-- where persons count: every member carries the household's result. Households are first
-- reduced to their deprivation profile (at most 32 per area), so each k costs a scan of
-- a few rows per area, and multidimensional_poverty, mpi_decomposition and
-- mpi_cutoff_sensitivity share one computation: the k = 0.4 identity holds by
-- construction and is tested all the same. Year-incremental (macros/year_incremental.sql):
-- a year's counts come from that year's persons and households and the area tree.
{{ config(**year_incremental()) }}
with

persons as (
    select * from {{ ref('int_registry_persons') }}
    where area_code is not null and {{ in_years_to_build('year') }}
),

households as (select * from {{ ref('int_household_deprivations') }} where {{ in_years_to_build('year') }}),

cutoffs as (
    select distinct cast(k as double) as k
    from (
        select k from {{ constant_rows('sensitivity_cutoffs', ['k'], var('mpi_sensitivity_cutoffs')) }}
        union all
        select {{ var('mpi_poverty_cutoff_k') }}
    )
),

profiles as (
    select
        persons.year,
        persons.area_code,
        households.deprived_income,
        households.deprived_education,
        households.deprived_health,
        households.deprived_housing,
        households.deprived_water,
        households.deprivations,
        households.deprivations / {{ var("mpi_indicators") | length }}.0 as score,
        count(*) as persons
    from persons
    inner join households using (year, household_id)
    group by all
),

counts_where_reported as (
    select
        profiles.year,
        cutoffs.k,
        profiles.area_code,
        sum(profiles.persons) as persons,
        sum(profiles.persons) filter (where profiles.score >= cutoffs.k) as mpi_poor_persons,
        -- counted in whole deprivations, exact on both engines (a sum of fifths is not)
        sum(profiles.persons * profiles.deprivations) filter (where profiles.score >= cutoffs.k)
            as poor_deprivations,
        {% for indicator in var('mpi_indicators') %}
        sum(profiles.persons) filter (where profiles.deprived_{{ indicator }})
            as deprived_{{ indicator }},
        sum(profiles.persons) filter (where profiles.deprived_{{ indicator }}
                                     and profiles.score >= cutoffs.k)
            as censored_{{ indicator }}{{ "," if not loop.last }}
        {% endfor %}
    from profiles
    cross join cutoffs
    group by all
),

{% set measures = ['persons', 'mpi_poor_persons', 'poor_deprivations'] %}
{% for indicator in var('mpi_indicators') %}
    {% do measures.extend(['deprived_' ~ indicator, 'censored_' ~ indicator]) %}
{% endfor %}

rolled_up as (
    {{ roll_up('counts_where_reported', ['year', 'k'], measures) }}
)

select
    year,
    k,
    area_code,
    {% for measure in measures %}
    cast(coalesce({{ measure }}, 0) as bigint) as {{ measure }},
    {% endfor %}
    cast(coalesce(poor_deprivations, 0) as double) / {{ var("mpi_indicators") | length }} as poor_score_sum,
    {{ year_build_columns('rolled_up.year') }}
from rolled_up
