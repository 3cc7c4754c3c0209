-- Registered persons of each year: the registry snapshot of Y, one row per person, with
-- the area they count in and their age on Y-08-31 (from the ID number, or 出生日期 when the
-- ID is invalid).
-- A person in several households counts once, in the household with the smallest
-- household_id (rule R04 flags the others); rows without an id_number were
-- quarantined at ingest and never arrive here.
with

registry as (select * from {{ ref('stg_registry__persons') }}),

snapshots as (select * from {{ ref('int_snapshots') }} where feed = 'registry'),

reported_areas as (select * from {{ ref('int_reported_areas') }}),

snapshot_rows as (
    select
        snapshots.year,
        registry.*
    from registry
    inner join snapshots on snapshots.snapshot_date = registry.delivery_date
),

persons as (
    select
        *,
        count(*) over (partition by year, id_number) as registry_rows_of_person
    from snapshot_rows
    qualify row_number() over (
        partition by year, id_number
        order by household_id, source_file, source_row
    ) = 1
),

final as (
    select
        persons.year,
        persons.delivery_date as snapshot_date,
        persons.id_number,
        persons.household_id,
        persons.village_code,
        reported_areas.area_code,
        reported_areas.is_known_village,
        persons.relation,
        persons.sex,
        persons.birth_date,
        {{ id_number_is_valid('persons.id_number') }} as id_number_is_valid,
        {{ age_on(birth_date_for_age('persons.id_number', 'persons.birth_date'),
                  "make_date(cast(persons.year as integer), 8, 31)") }} as age_on_aug31,
        persons.household_type,
        persons.school_status,
        persons.health,
        persons.per_capita_income,
        persons.identified_year,
        persons.poverty_status,
        persons.exit_year,
        persons.housing_safe,
        persons.water_safe,
        persons.registry_rows_of_person
    from persons
    left join reported_areas on reported_areas.reported_code = persons.village_code
)

select * from final
