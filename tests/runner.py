"""Running the real command line, as a user would, on folders of a test's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb


def povmon(*args: str | Path, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def run_pipeline(raw: Path, work: Path) -> subprocess.CompletedProcess:
    result = povmon("run", "--raw", raw, "--marts", work / "marts",
                    "--warehouse", work / "warehouse" / "warehouse.duckdb", "--log-level", "WARNING")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def query(marts: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(marts / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()
