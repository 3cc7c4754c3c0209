-- Registered persons of each year: the registry snapshot of Y, one row per person, with
-- the area they count in and their age on Y-08-31 (from the ID number, or 出生日期 when the
-- ID is invalid).
-- A person in several households counts once, in the household with the smallest
-- household_id (rule R04 flags every row of such a person, found here once); rows
-- without an id_number were quarantined at ingest and never arrive here.
{{ config(**year_incremental()) }}
with

snapshot_rows as (
    select * from {{ ref('int_registry_snapshot_rows') }} where {{ in_years_to_build('year') }}
),

ranked as (
    select
        *,
        count(*) over person_rows as registry_rows_of_person,
        min(household_id) over person_rows <> max(household_id) over person_rows
            as is_in_several_households,
        row_number() over (partition by year, id_number order by household_id, source_file, source_row)
            as row_of_person
    from snapshot_rows
    window person_rows as (partition by year, id_number)
),

persons as (select * from ranked where row_of_person = 1),

final as (
    select
        year,
        snapshot_date,
        id_number,
        name,
        household_id,
        village_code,
        area_code,
        county_code,
        is_known_village,
        relation,
        sex,
        birth_date,
        id_number_is_valid,
        {{ age_on(birth_date_for_age('id_number', 'birth_date', 'id_number_is_valid'),
                  "make_date(cast(year as integer), 8, 31)") }} as age_on_aug31,
        household_type,
        school_status,
        health,
        per_capita_income,
        identified_year,
        poverty_status,
        exit_year,
        housing_safe,
        water_safe,
        registry_rows_of_person,
        is_in_several_households,
        source_file,
        source_row,
        {{ year_build_columns('persons.year') }}
    from persons
)

select * from final
