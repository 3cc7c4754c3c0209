-- Whether each person with any record in a department's snapshot of year Y is covered by
-- each program (int_program_evidence's rules), one row per year and person: the one place
-- program_coverage, MPI, rules R08/R09 and the monitoring signals M04/M05 read "covered"
-- from. A person without a row has no record at all: covered by nothing.
{{ config(**year_incremental()) }}
with

evidence as (select * from {{ ref('int_program_evidence') }} where {{ in_years_to_build('year') }}),

final as (
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
)

select *, {{ year_build_columns('final.year') }}
from final
