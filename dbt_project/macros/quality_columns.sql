{#- The columns every quality rule model returns, one row per record the rule checked:
    the rule, where the record lives (feed, snapshot year, delivery, county, area), its
    key (NULL for person-grain feeds, whose key is person_key|record_year), the person
    (restricted: raw ID number and name), whether it is flagged and why, in Chinese:
    `detail` with the conflicting values for the restricted worklist, and `public_detail`
    for what is published beside person_key: which fields conflict and how, never a date,
    a digit of an ID number or a name (`public_detail` names the expression giving it; by
    default the detail itself, for rules whose values say nothing about a person). -#}
{% macro quality_columns(rule_id, feed, public_detail='detail') -%}
    '{{ rule_id }}' as rule_id,
    {{ feed }} as feed,
    cast(year as integer) as year,
    delivery_date,
    county_code,
    area_code,
    cast(record_key as string) as record_key,
    cast(record_year as integer) as record_year,
    id_number,
    name,
    detail is not null as is_flagged,
    detail,
    {{ public_detail }} as public_detail
{%- endmacro %}

{#- How every quality rule model (models/quality/rules/) ends: the records it checked
    (`checked`, with the columns quality_columns names) as outcomes. Each flagged record is
    one row as the rule reported it; the records that passed are counted per feed, year
    and county. What restricted.quality_rule_outcomes unions, with the columns
    rule_outcome_columns() lists. A year-incremental rule (`yearly`) also carries the
    inputs digest of each year (macros/year_incremental.sql), so a night re-evaluates the
    rule over the years whose snapshots changed only. -#}
{% macro rule_outcomes(rule_id, feed, public_detail='detail', yearly=true) -%}
    select
        grouped.*
        {%- if yearly %},
        {{ year_build_columns('grouped.year') }}
        {%- endif %}
    from (
        select
            rule_id,
            feed,
            year,
            county_code,
            is_flagged,
            {%- for column in rule_outcome_columns()[5:-1] %}
            case when is_flagged then {{ column }} end as {{ column }},
            {%- endfor %}
            count(*) as records
        from (select {{ quality_columns(rule_id, feed, public_detail) }} from checked) as records
        group by all
    ) as grouped
{%- endmacro %}

{#- The columns of a rule's outcomes: grouped by the first five; the record's own, NULL on
    the rows counting the records that passed; and how many records the row stands for. -#}
{% macro rule_outcome_columns() -%}
    {{ return(['rule_id', 'feed', 'year', 'county_code', 'is_flagged', 'delivery_date', 'area_code',
               'record_key', 'record_year', 'id_number', 'name', 'detail', 'public_detail',
               'records']) }}
{%- endmacro %}
