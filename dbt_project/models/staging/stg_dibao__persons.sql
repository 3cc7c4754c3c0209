with

source as (select * from {{ source('raw', 'dibao') }}),

renamed as (
    select
        certificate_no,
        upper(trim(id_number)) as id_number,
        name,
        upper(trim(head_id_number)) as head_id_number,
        category,
        monthly_benefit,
        start_date,
        end_date,
        status,
        village_code,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
