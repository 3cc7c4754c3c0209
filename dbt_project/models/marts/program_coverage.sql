-- 三保障 and 兜底 coverage per year, area and program; eligibility and coverage per person
-- come from int_person_programs, areas roll up as everywhere else.
with

year_areas as (select * from {{ ref('int_year_areas') }}),

programs as (
    select * from (values
        (1, 'medical_insurance'), (2, 'dibao'), (3, 'compulsory_education'), (4, 'education_aid')
    ) as programs(program_order, program)
),

persons as (select * from {{ ref('int_person_programs') }} where area_code is not null),

person_programs as (
    select year, area_code, 'medical_insurance' as program,
        medical_eligible as eligible, medical_eligible and medical_covered as covered
    from persons
    union all
    select year, area_code, 'dibao', dibao_eligible, dibao_eligible and dibao_covered
    from persons
    union all
    select year, area_code, 'compulsory_education', education_eligible,
        education_eligible and education_covered
    from persons
    union all
    select year, area_code, 'education_aid', aid_eligible, aid_eligible and aid_covered
    from persons
),

counts_where_reported as (
    select
        year,
        program,
        area_code,
        count(*) filter (where eligible) as eligible_persons,
        count(*) filter (where covered) as covered_persons
    from person_programs
    group by all
),

counts as (
    {{ roll_up('counts_where_reported', ['year', 'program'],
               ['eligible_persons', 'covered_persons']) }}
),

final as (
    select
        year_areas.year,
        year_areas.area_code,
        year_areas.area_name,
        year_areas.area_level,
        programs.program,
        cast(coalesce(counts.eligible_persons, 0) as bigint) as eligible_persons,
        cast(coalesce(counts.covered_persons, 0) as bigint) as covered_persons,
        programs.program_order
    from year_areas
    cross join programs
    left join counts
        on counts.year = year_areas.year
        and counts.area_code = year_areas.area_code
        and counts.program = programs.program
)

select
    year,
    area_code,
    area_name,
    area_level,
    program,
    eligible_persons,
    covered_persons,
    eligible_persons - covered_persons as uncovered_persons,
    {{ percent('covered_persons', 'eligible_persons') }} as coverage_pct,
    cast({{ var('program_target_pct') }} as double) as target_pct
from final
order by year, area_code, program_order
