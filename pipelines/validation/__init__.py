"""Validation with Great Expectations, executed as SQL inside DuckDB."""
