with

source as (select * from {{ source('raw', 'registry') }}),

renamed as (
    select
        household_id,
        upper(trim(id_number)) as id_number,
        name,
        relation,
        sex,
        birth_date,
        village_code,
        household_type,
        main_cause,
        labor_capacity,
        school_status,
        health,
        per_capita_income,
        identified_year,
        poverty_status,
        exit_year,
        housing_safe = '是' as housing_safe,
        water_safe = '是' as water_safe,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
