-- The nights the quality rules ran, numbered in date order (a re-run of a night is the same run).
select run_date, cast(dense_rank() over (order by run_date) as integer) as run_number
from (select distinct run_date from {{ ref('quality_check_history') }})
