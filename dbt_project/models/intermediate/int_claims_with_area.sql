-- Claims as they stand now, placed where the claimant lives: the area of the person's
-- latest registry snapshot, else the county of the ID number's area code (a claim of a
-- person not on the registry still belongs to some county's worklist).
with

claims as (select * from {{ ref('int_claims_current') }}),

persons as (select id_number, year, area_code, county_code from {{ ref('int_registry_persons') }}),

latest_persons as (
    {{ first_row_of_each('persons', 'id_number', 'year desc') }}
),

final as (
    select
        cast(year(claims.delivery_date) as integer) as year,
        claims.*,
        latest_persons.area_code,
        coalesce(latest_persons.county_code,
                 {{ county_code('claims.id_number') }}) as county_code
    from claims
    left join latest_persons on latest_persons.id_number = claims.id_number
)

select * from final
