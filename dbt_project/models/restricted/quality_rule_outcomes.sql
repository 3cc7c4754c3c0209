-- What the quality rules (R01-R17, models under quality/rules/) found: each flagged record
-- as the rule reported it (WITH the raw ID number and name, hence restricted), and the
-- records that passed counted per rule, feed, year and county. The worklist reads the
-- first, the check history both. The rules over the yearly snapshots are year-incremental
-- tables (a night re-evaluates the years whose snapshots changed); those over the claims
-- and the fund ledgers are evaluated whole, here.
{%- set rule_models = [
    'qr01_invalid_id_number', 'qr01_invalid_claim_id_number', 'qr02_birth_date_mismatch',
    'qr03_sex_mismatch', 'qr04_person_in_several_households', 'qr05_unknown_village',
    'qr06_dibao_household_not_covered', 'qr07_dibao_in_general_household',
    'qr08_no_medical_insurance', 'qr09_dropout_risk', 'qr10_school_status_mismatch',
    'qr11_claim_inconsistent', 'qr12_fund_ledger_inconsistent', 'qr13_exit_year_inconsistent',
    'qr14_exited_below_poverty_line', 'qr15_dibao_income_above_limit',
    'qr16_aid_without_enrolment', 'qr17_household_head_count',
] %}

{% for model in rule_models %}
select {{ rule_outcome_columns() | join(', ') }} from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
