with

source as (select * from {{ source('raw', 'medical_enrollment') }}),

renamed as (
    select
        upper(trim(id_number)) as id_number,
        name,
        year,
        scheme,
        status,
        personal_paid,
        subsidy,
        area_code,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
