"""Publishing marts to statisticians: atomic DuckDB file + Parquet exports."""
