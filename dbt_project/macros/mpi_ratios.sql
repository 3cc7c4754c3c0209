{#- The Alkire-Foster ratios from counts: H = poor / persons, A = the poor's mean score,
    M0 = H × A = score sum / persons; 0-1, to 4 decimals, NULL where undefined. The one
    formula multidimensional_poverty and mpi_cutoff_sensitivity both publish. -#}
{% macro mpi_ratios(persons='persons', poor='mpi_poor_persons', score_sum='poor_score_sum') -%}
    {{ round_ratio(poor ~ ' / nullif(' ~ persons ~ ', 0)', 4) }} as headcount_ratio_h,
    {{ round_ratio(score_sum ~ ' / nullif(' ~ poor ~ ', 0)', 4) }} as intensity_a,
    {{ round_ratio(score_sum ~ ' / nullif(' ~ persons ~ ', 0)', 4) }} as m0
{%- endmacro %}
