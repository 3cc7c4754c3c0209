-- Who dibao covers, year by year: each person covered (在保, by int_program_evidence's rule)
-- on the year's dibao snapshot D(dibao, Y), with that snapshot's date. The one place the
-- rules on dibao (R06, R07, R15) read coverage from; a year without a dibao snapshot has no
-- rows, so they check nothing in it.
{{ config(**year_incremental()) }}
with

covered as (
    select distinct year, id_number
    from {{ ref('int_program_evidence') }}
    where program = 'dibao' and covered and {{ in_years_to_build('year') }}
),

dibao_snapshots as (
    select year, snapshot_date from {{ ref('int_snapshots') }} where table_name = 'dibao'
),

final as (
    select covered.year, dibao_snapshots.snapshot_date, covered.id_number
    from covered
    inner join dibao_snapshots on dibao_snapshots.year = covered.year
)

select *, {{ year_build_columns('final.year') }}
from final
