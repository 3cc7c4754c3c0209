-- The nights from which another pseudonym key was used (accepted with
-- `povmon run --new-pseudonym-key`): every person_key changed, so flag continuity restarts.
-- The key's fingerprint stays in the restricted store.
with

source as (select * from {{ source('raw', 'pseudonym_keys') }}),

renamed as (
    select distinct since_run_date as run_date
    from source
    where restarts_flags
)

select * from renamed
