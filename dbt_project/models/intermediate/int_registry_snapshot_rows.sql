-- Every row of each year's registry snapshot (duplicates included), with the area it counts
-- in (its village, or the nearest known ancestor for an unknown code, rule R05) and its
-- county: what int_registry_persons deduplicates and the quality rules check. Whether the
-- ID number is valid is worked out here once, for the persons mart and rules R01-R03.
{{ config(**year_incremental()) }}
with

registry as (select * from {{ ref('stg_registry__persons') }}),

reported_areas as (select * from {{ ref('int_reported_areas') }}),

snapshot_rows as (
    {{ snapshot_rows('registry', 'registry') }}
),

final as (
    select
        snapshot_rows.*,
        reported_areas.area_code,
        reported_areas.is_known_village,
        {{ county_code('snapshot_rows.village_code') }} as county_code,
        {{ id_number_is_valid('snapshot_rows.id_number') }} as id_number_is_valid,
        {{ year_build_columns('snapshot_rows.year') }}
    from snapshot_rows
    left join reported_areas on reported_areas.reported_code = snapshot_rows.village_code
    where {{ in_years_to_build('snapshot_rows.year') }}
)

select * from final
