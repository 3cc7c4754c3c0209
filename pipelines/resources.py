"""The warehouse as a Dagster resource: paths, and read-write connections to the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class Warehouse(dg.ConfigurableResource):
    """The restricted DuckDB store and the folders around it.

    DuckDB allows one writer process per file, so every connection is opened for the
    duration of one step and closed before dbt (a separate process) runs.
    """

    raw_dir: str
    path: str
    marts_dir: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(self.path, read_only=read_only)
        try:
            yield conn
        finally:
            conn.close()
