-- Every registered person of year Y with eligibility and coverage for each program of
-- program_coverage (coverage from int_person_coverage): what program_coverage and
-- multidimensional_poverty read. It also carries what int_household_deprivations needs of the person
-- (relation, income, housing, water): joining int_registry_persons back instead, over
-- every year at once, spills at province scale.
{{ config(**year_incremental()) }}
with

persons as (select * from {{ ref('int_registry_persons') }} where {{ in_years_to_build('year') }}),

coverage as (select * from {{ ref('int_person_coverage') }} where {{ in_years_to_build('year') }}),

standards as (select * from {{ ref('int_area_standards') }}),

final as (
    select
        persons.year,
        persons.id_number,
        persons.household_id,
        persons.area_code,
        persons.relation,
        persons.per_capita_income,
        persons.housing_safe,
        persons.water_safe,
        true as medical_eligible,
        coalesce(coverage.medical_covered, false) as medical_covered,
        coalesce(persons.per_capita_income < standards.dibao_line, false) as dibao_eligible,
        coalesce(coverage.dibao_covered, false) as dibao_covered,
        {{ compulsory_school_age('persons.age_on_aug31') }} as education_eligible,
        coalesce(coverage.education_covered, false) as education_covered,
        coalesce(coverage.has_enrolled_record, false) as aid_eligible,
        coalesce(coverage.aid_covered, false) as aid_covered,
        {{ year_build_columns('persons.year') }}
    from persons
    left join coverage on coverage.year = persons.year and coverage.id_number = persons.id_number
    left join standards on standards.year = persons.year and standards.area_code = persons.area_code
)

select * from final
