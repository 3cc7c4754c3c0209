-- Every night's records checked and flagged per feed, rule and county (the denominators of
-- quality_summary). Re-running a night replaces that night's rows; never fully refreshed.
{{ config(**night_history(tags=['every_night'])) }}

{%- if carry_forward_from() and is_incremental() %}

-- nothing changed since that night's build: its counts, under tonight's date
select {{ columns_of(this, replace={'run_date': quality_run_date()}) }}
from {{ this }}
where run_date = cast('{{ carry_forward_from() }}' as date)

{%- else %}

with

checked as (
    select feed, rule_id, county_code, cast(sum(records) as bigint) as checked_records
    from {{ ref('quality_rule_outcomes') }}
    group by all
),

flagged as (
    select feed, rule_id, county_code, count(*) as flagged_records
    from {{ ref('quality_worklist') }}
    group by all
),

final as (
    select
        {{ quality_run_date() }} as run_date,
        checked.feed,
        checked.rule_id,
        checked.county_code,
        checked.checked_records,
        coalesce(flagged.flagged_records, 0) as flagged_records
    from checked
    left join flagged using (feed, rule_id, county_code)
)

select * from final

{%- endif %}
