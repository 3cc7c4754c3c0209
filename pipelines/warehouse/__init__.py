"""The warehouse stage: the dbt project as Dagster assets, on DuckDB or on Spark."""
