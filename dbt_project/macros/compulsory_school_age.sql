{#- Of compulsory-school age in year Y: aged 6-15 on Y-08-31 (the school year's cut-off
    date). The one statement of the band: program_coverage's eligibility, rule R09 and
    signal M04 read it. -#}
{% macro compulsory_school_age(age_on_aug31) -%}
    coalesce({{ age_on_aug31 }} between 6 and 15, false)
{%- endmacro %}
