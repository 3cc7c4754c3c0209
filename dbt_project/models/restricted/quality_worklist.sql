-- The restricted worklist of this run (var run_date): one row per flagged record and
-- rule, WITH the raw ID number and name that data stewards need to find the record. It
-- stays in the restricted store; everything published derives from it without them.
-- person_key() is the HMAC-SHA256 pseudonym (pipelines/core/pseudonym.py, registered by the
-- dbt plugin with the key from POVMON_PSEUDONYM_KEY).
{{ config(tags=['every_night']) }}
{%- if carry_forward_from() %}

-- nothing changed since that night's build: its worklist, under tonight's date
select {{ columns_of(this, replace={'run_date': quality_run_date()}) }} from {{ this }}

{%- else %}

with

checked as (select * from {{ ref('quality_rule_outcomes') }} where is_flagged),

rules as (select * from {{ ref('quality_rules') }}),

departments as (select * from {{ ref('quality_rule_departments') }}),

areas as (select * from {{ ref('int_areas') }}),

keyed as (
    select
        checked.*,
        person_key(checked.id_number) as person_key
    from checked
),

flags as (
    select
        rule_id,
        feed,
        year,
        coalesce(record_key, person_key || '|' || record_year) as record_key,
        person_key,
        min(delivery_date) as delivery_date,
        min(county_code) as county_code,
        min(area_code) as area_code,
        min(id_number) as id_number,
        min(name) as name,
        {{ sorted_string_agg('detail', '；', distinct=true) }} as detail,
        {{ sorted_string_agg('public_detail', '；', distinct=true) }} as public_detail
    from keyed
    group by rule_id, feed, year, coalesce(record_key, person_key || '|' || record_year), person_key
),

final as (
    select
        {{ quality_run_date() }} as run_date,
        -- 16 hex characters: unique enough, and never 18 digits in a row (an ID's shape)
        left(md5(concat_ws('|', flags.rule_id, flags.feed, flags.year, flags.record_key,
                           coalesce(flags.person_key, ''))), 16) as flag_key,
        flags.rule_id,
        rules.severity,
        rules.title as rule_title,
        flags.feed,
        departments.department as responsible_department,
        flags.year,
        flags.delivery_date,
        flags.record_key,
        flags.person_key,
        flags.county_code,
        counties.area_name as county_name,
        flags.area_code,
        villages.area_name,
        flags.detail,
        flags.public_detail,
        flags.id_number,
        flags.name
    from flags
    inner join rules using (rule_id)
    left join departments using (rule_id, feed)
    left join areas as counties on counties.area_code = flags.county_code
    left join areas as villages on villages.area_code = flags.area_code
)

select * from final

{%- endif %}
