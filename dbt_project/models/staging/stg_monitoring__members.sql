with

source as (select * from {{ source('raw', 'monitoring') }}),

renamed as (
    select
        monitor_household_id,
        upper(trim(id_number)) as id_number,
        name,
        relation,
        village_code,
        category,
        main_risk,
        per_capita_income,
        included_date,
        eliminated_date,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
