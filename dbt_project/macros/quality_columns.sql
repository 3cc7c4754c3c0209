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
