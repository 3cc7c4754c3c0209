"""The warehouse as Dagster's ``warehouse`` resource: the settings, and read-write
connections to the restricted store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.core.duckdb_limits import duckdb_config
from pipelines.core.ingest_limits import IngestLimits
from pipelines.core.restricted import private_file, private_folder
from pipelines.core.settings import Settings


@dataclass(frozen=True)
class Warehouse:
    """The restricted DuckDB store, the folders around it, and every other setting of the
    run (``settings``): what a step needs, in one object.

    DuckDB allows one writer process per file, so every connection is opened for the
    duration of one step and closed before dbt (a separate process) runs. The store holds
    personal data: its folder is created 0700 and the file kept 0600 (pipelines/core/restricted.py).
    """

    settings: Settings

    @property
    def path(self) -> Path:
        return self.settings.warehouse_path

    @property
    def raw_dir(self) -> Path:
        return self.settings.raw_dir

    @property
    def marts_dir(self) -> Path:
        return self.settings.marts_dir

    @property
    def engine(self) -> str:
        return self.settings.engine

    @property
    def ingest_limits(self) -> IngestLimits:
        return self.settings.ingest_limits

    @property
    def gx_root(self) -> Path:
        return self.settings.gx_root

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        private_folder(self.path.parent)
        conn = duckdb.connect(str(self.path), read_only=read_only,
                              config=duckdb_config(self.path, self.settings.duckdb))
        private_file(self.path)
        try:
            yield conn
        finally:
            conn.close()
