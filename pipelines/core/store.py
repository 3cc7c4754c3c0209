"""The warehouse as a Dagster resource: paths, and read-write connections to the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.core.duckdb_limits import duckdb_config
from pipelines.core.ingest_limits import DEFAULT_LIMITS, IngestLimits
from pipelines.core.restricted import private_file, private_folder


class Warehouse(dg.ConfigurableResource):
    """The restricted DuckDB store and the folders around it.

    DuckDB allows one writer process per file, so every connection is opened for the
    duration of one step and closed before dbt (a separate process) runs. The store holds
    personal data: its folder is created 0700 and the file kept 0600 (pipelines/core/restricted.py).
    """

    raw_dir: str
    path: str
    marts_dir: str
    engine: str = "duckdb"  # where dbt builds: duckdb or spark (pipelines/core/settings.py)
    min_usable_share: float = DEFAULT_LIMITS.min_usable_share  # pipelines/core/ingest_limits.py
    max_unzipped_bytes: int = DEFAULT_LIMITS.max_unzipped_bytes

    def ingest_limits(self) -> IngestLimits:
        return IngestLimits(self.min_usable_share, self.max_unzipped_bytes)

    @property
    def gx_root(self) -> Path:
        """The GX project (suites, results, recorded outcomes), beside the store."""
        return Path(self.path).parent / "gx"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        private_folder(Path(self.path).parent)
        conn = duckdb.connect(self.path, read_only=read_only,
                              config=duckdb_config(Path(self.path)))
        private_file(Path(self.path))
        try:
            yield conn
        finally:
            conn.close()
