-- R01 (error) for the medical claims: every claim as it stands now, whatever year it
-- was delivered in. Not year-incremental like the snapshots' R01 (qr01_invalid_id_number):
-- a claim of any year can be replaced by a later delivery, and its county follows the
-- claimant's latest registry snapshot (int_claims_with_area). The claims are few; this
-- is evaluated whole every night.
with

claims as (select * from {{ ref('int_claims_with_area') }}),

checked as (
    select
        year, delivery_date, county_code, area_code, claim_id as record_key,
        null as record_year, id_number, null as name,
        {{ id_number_problem('证件号码', 'id_number') }} as detail,
        {{ id_number_problem('证件号码', 'id_number', public=true) }} as public_detail
    from claims
),

final as ({{ rule_outcomes('R01', "'medical'", public_detail='public_detail', yearly=false) }})

select * from final
