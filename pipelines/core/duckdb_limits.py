"""How much of the machine DuckDB may take, for every connection povmon opens.

DuckDB's default is 80 % of RAM and every core, per process: the ingest, dbt (a
subprocess) and publish would each claim most of a small server. Every connection instead
gets a memory limit (DuckDB spills the rest of a large join or sort to disk), a thread
count, and a spill folder inside the restricted warehouse folder, since spilled rows can
hold ID numbers. dbt's profile reads the same limits (POVMON_DUCKDB_MEMORY_LIMIT,
POVMON_DUCKDB_THREADS) and spills to the same folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SPILL_FOLDER = ".spill"


@dataclass(frozen=True)
class DuckDBLimits:
    memory_limit: str = "4GB"
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)


def spill_folder(warehouse: Path) -> Path:
    """Where DuckDB spills: beside the warehouse, as private as it is."""
    return warehouse.parent / SPILL_FOLDER


def duckdb_config(warehouse: Path, limits: DuckDBLimits,
                  memory_limit: str | None = None) -> dict[str, str]:
    """Connection settings for a connection that works on ``warehouse``'s data."""
    return {
        "memory_limit": memory_limit or limits.memory_limit,
        "threads": str(limits.threads),
        "temp_directory": str(spill_folder(warehouse)),
    }


# The caps of a connection opened without settings (tests, scripts): the defaults above.
DEFAULT_DUCKDB_LIMITS = DuckDBLimits()
