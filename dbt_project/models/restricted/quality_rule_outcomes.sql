-- What the quality rules (R01-R17) found this run, from one evaluation of them: each flagged
-- record as the rule reported it (WITH the raw ID number and name, hence restricted), and
-- the records that passed counted per rule, feed and county. The worklist reads the first,
-- the check history both: evaluating the 17 rule views once for the flags and again for
-- the counts cost 3.5 more minutes at 10 M persons.
with

checked as (select * from {{ ref('quality_checked_records') }}),

final as (
    select
        rule_id,
        feed,
        county_code,
        is_flagged,
        {%- for column in ['year', 'delivery_date', 'area_code', 'record_key', 'record_year',
                           'id_number', 'name', 'detail', 'public_detail'] %}
        case when is_flagged then {{ column }} end as {{ column }},
        {%- endfor %}
        count(*) as records
    from checked
    group by all
)

select * from final
