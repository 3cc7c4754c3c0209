"""povmon: the poverty-monitoring warehouse (feeds -> DuckDB warehouse -> dbt marts)."""
