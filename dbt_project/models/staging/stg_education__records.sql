with

source as (select * from {{ source('raw', 'education') }}),

renamed as (
    select
        student_no,
        upper(trim(id_number)) as id_number,
        name,
        school_year,
        cast(left(school_year, 4) as integer) as school_year_start,
        stage,
        enrolment_status,
        school_code,
        area_code,
        aid_program,
        aid_amount,
        delivery_date,
        source_file,
        source_row
    from source
)

select * from renamed
