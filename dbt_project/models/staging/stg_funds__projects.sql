with

source as (select * from {{ source('raw', 'funds') }}),

renamed as (
    select
        project_id,
        project_name,
        county_code,
        fund_source,
        category,
        year,
        period,
        allocated,
        disbursed,
        spent,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
