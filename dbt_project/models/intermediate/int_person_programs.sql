-- Every registered person of year Y with eligibility and coverage for each program of
-- program_coverage: the one place both program_coverage and multidimensional_poverty
-- read "covered" from. It also carries what int_household_deprivations needs of the person
-- (relation, income, housing, water): joining int_registry_persons back instead, over
-- every year at once, spills at province scale.
{{ config(**year_incremental()) }}
with

persons as (select * from {{ ref('int_registry_persons') }} where {{ in_years_to_build('year') }}),

evidence as (select * from {{ ref('int_program_evidence') }} where {{ in_years_to_build('year') }}),

standards as (select * from {{ ref('int_area_standards') }}),

coverage as (
    select
        year,
        id_number,
        bool_or(program = 'medical_insurance' and covered) as medical_covered,
        bool_or(program = 'dibao' and covered) as dibao_covered,
        bool_or(program = 'compulsory_education' and covered) as education_covered,
        bool_or(program = 'education_aid') as has_enrolled_record,
        bool_or(program = 'education_aid' and covered) as aid_covered
    from evidence
    group by year, id_number
),

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
        coalesce(persons.age_on_aug31 between 6 and 15, false) as education_eligible,
        coalesce(coverage.education_covered, false) as education_covered,
        coalesce(coverage.has_enrolled_record, false) as aid_eligible,
        coalesce(coverage.aid_covered, false) as aid_covered,
        {{ year_build_columns('persons.year') }}
    from persons
    left join coverage on coverage.year = persons.year and coverage.id_number = persons.id_number
    left join standards on standards.year = persons.year and standards.area_code = persons.area_code
)

select * from final
