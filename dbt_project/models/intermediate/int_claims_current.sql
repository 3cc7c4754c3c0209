-- Inpatient claims as they stand now: claims arrive as deltas, and a claim id seen again
-- replaces the earlier row (the version of the latest loaded delivery wins).
with

claims as (select * from {{ ref('stg_medical__claims') }}),

final as (
    {{ first_row_of_each('claims', 'claim_id', 'delivery_date desc, source_file desc, source_row desc') }}
)

select * from final
