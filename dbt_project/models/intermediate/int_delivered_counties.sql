-- Which counties each loaded delivery answered for: per feed, table, delivery and county,
-- the accepted rows for an area in that county (a row counts for the county its code lies
-- in, known village or not). Tables without an area (population, standards and medical
-- claims are province-wide) answer for the province when they hold any accepted row.
-- Table names are those of delivery_timeliness: the medical tables without their prefix.
with

files as (select * from {{ ref('stg_ingest__files') }} where status = 'loaded'),

province as (select area_code from {{ ref('int_areas') }} where area_level = 'province'),

{% set area_columns = {
    'registry': ('stg_registry__persons', 'village_code'),
    'dibao': ('stg_dibao__persons', 'village_code'),
    'enrollment': ('stg_medical__enrollment', 'area_code'),
    'education': ('stg_education__records', 'area_code'),
    'funds': ('stg_funds__projects', 'county_code'),
    'monitoring': ('stg_monitoring__members', 'village_code'),
} %}

rows_by_county as (
    {% for table_name, (model, column) in area_columns.items() %}
    select
        '{{ table_name }}' as table_name,
        delivery_date,
        {{ county_code(column) }} as area_code,
        count(*) as accepted_rows
    from {{ ref(model) }}
    group by all
    {{ "union all" if not loop.last }}
    {% endfor %}
),

province_wide as (
    select
        regexp_replace(files.table_name, '^medical_', '') as table_name,
        files.delivery_date,
        province.area_code,
        sum(files.rows_accepted) as accepted_rows
    from files
    cross join province
    where files.table_name in ('population', 'standards', 'medical_claims')
    group by all
    having sum(files.rows_accepted) > 0
),

feeds as (
    select distinct feed, regexp_replace(table_name, '^medical_', '') as table_name
    from files
),

final as (
    select feeds.feed, rows_by_county.*
    from rows_by_county
    inner join feeds using (table_name)
    union all
    select feeds.feed, province_wide.*
    from province_wide
    inner join feeds using (table_name)
)

select * from final
