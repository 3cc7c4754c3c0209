"""One run at a time per warehouse.

DuckDB lets one process write a file; a second `povmon run` (or a person's run beside the
schedule's) would die on DuckDB's lock half-way. `povmon run` instead holds an exclusive
lock file beside the warehouse for the whole run, and also checks that no other process
(a run started from the Dagster UI, say) holds DuckDB's own lock, so the second run stops
at once with a message saying who has the warehouse since when.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.core.duckdb_limits import DuckDBLimits, duckdb_config
from pipelines.core.settings import OFFICE_TIMEZONE


class WarehouseBusy(RuntimeError):
    """Another process is writing the warehouse."""

    def __init__(self, warehouse: Path, since: str) -> None:
        super().__init__(f"another povmon run is using {warehouse} (since {since}); "
                         "try again when it ends")


def _when(timestamp: float, pid: int) -> str:
    started = datetime.fromtimestamp(timestamp, OFFICE_TIMEZONE)
    return f"{started:%Y-%m-%d %H:%M:%S} Beijing time, process {pid}"


def _process_started(pid: int) -> str:
    """When process ``pid`` started, from /proc (Linux); 'process N' elsewhere."""
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, IndexError, StopIteration, ValueError):
        return f"process {pid}"
    return _when(boot + int(after_name[19]) / os.sysconf("SC_CLK_TCK"), pid)


def _refuse_if_duckdb_locked(warehouse: Path) -> None:
    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse), config=duckdb_config(warehouse, DuckDBLimits(threads=1),
                                                          memory_limit="256MB")).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            return  # not busy; the run meets the problem itself and reports it
        holder = re.search(r"PID (\d+)", str(error))
        raise WarehouseBusy(warehouse, _process_started(int(holder[1])) if holder
                            else "an unknown time") from None


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """Hold ``<warehouse>.lock`` for the duration; raise WarehouseBusy when it is taken."""
    lock = warehouse.with_name(warehouse.name + ".lock")
    with os.fdopen(os.open(lock, os.O_RDWR | os.O_CREAT, 0o600), "r+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(warehouse, handle.read().strip() or "an unknown time") from None
        _refuse_if_duckdb_locked(warehouse)
        handle.seek(0)
        handle.truncate()
        handle.write(_when(datetime.now().timestamp(), os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
