"""Dagster assets, one module per layer: ingest, warehouse (dbt), publish."""
