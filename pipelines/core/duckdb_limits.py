"""How much of the machine DuckDB may take, for every connection povmon opens.

DuckDB's default is 80 % of RAM and every core, per process: the ingest, dbt (a
subprocess) and publish would each claim most of a small server, and at 10 M persons dbt
alone reached 19 GiB. Every connection instead gets a memory limit (DuckDB spills the rest
of a large join or sort to disk), a thread count, and a spill folder inside the restricted
warehouse folder, since spilled rows can hold ID numbers. dbt's profile reads the same
two variables.

POVMON_DUCKDB_MEMORY_LIMIT  DuckDB memory per connection (default 4GB)
POVMON_DUCKDB_THREADS       DuckDB threads per connection (default: the machine's cores)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

MEMORY_LIMIT_VARIABLE = "POVMON_DUCKDB_MEMORY_LIMIT"
THREADS_VARIABLE = "POVMON_DUCKDB_THREADS"
DEFAULT_MEMORY_LIMIT = "4GB"
SPILL_FOLDER = ".spill"


def spill_folder(warehouse: Path) -> Path:
    """Where DuckDB spills: beside the warehouse, as private as it is."""
    return warehouse.parent / SPILL_FOLDER


def _memory_limit(environ: Mapping[str, str]) -> str:
    return environ.get(MEMORY_LIMIT_VARIABLE) or DEFAULT_MEMORY_LIMIT


def _threads(environ: Mapping[str, str]) -> str:
    return environ.get(THREADS_VARIABLE) or str(os.cpu_count() or 1)


def export_for_dbt(environ: dict[str, str] = os.environ) -> None:
    """Put the defaults where dbt's profile (a subprocess) reads them, unless set."""
    environ.setdefault(MEMORY_LIMIT_VARIABLE, _memory_limit(environ))
    environ.setdefault(THREADS_VARIABLE, _threads(environ))


def duckdb_config(warehouse: Path, environ: Mapping[str, str] = os.environ,
                  memory_limit: str | None = None) -> dict[str, str]:
    """Connection settings for a connection that works on ``warehouse``'s data."""
    return {
        "memory_limit": memory_limit or _memory_limit(environ),
        "threads": _threads(environ),
        "temp_directory": str(spill_folder(warehouse)),
    }
