with

source as (select * from {{ source('raw', 'medical_claims') }}),

renamed as (
    select
        claim_id,
        upper(trim(id_number)) as id_number,
        admit_date,
        discharge_date,
        total_cost,
        basic_paid,
        critical_paid,
        assistance_paid,
        other_paid,
        in_county = '是' as in_county,
        hospital_code,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
