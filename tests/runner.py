"""Running the real command line, as a user would, on folders of a test's own."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb

# The office's secret in a real deployment; a fixed one here, so tests can recompute keys.
TEST_PSEUDONYM_KEY = "test-key-0123456789"


def _environment(key: str | None, env: dict[str, str] | None) -> dict[str, str]:
    """This process's environment without the key and --demo's variable, then POVMON_PSEUDONYM_KEY
    = key (unset when None) and the extra variables ``env``."""
    merged = {**{k: v for k, v in os.environ.items()
                 if k not in ("POVMON_PSEUDONYM_KEY", "POVMON_DEMO")}, **(env or {})}  # fmt: skip
    if key is not None:
        merged["POVMON_PSEUDONYM_KEY"] = key
    return merged


def povmon(*args: str | Path, timeout: int = 900, key: str | None = TEST_PSEUDONYM_KEY,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`povmon ARGS` in a subprocess, as a user starts it: for what the executable itself
    does (its exit status, what it prints before any import, how it ends)."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=_environment(key, env),
    )  # fmt: skip


def povmon_in_process(*args: str | Path, key: str | None = TEST_PSEUDONYM_KEY,
                      env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`povmon ARGS` through the same `main` in this process, its environment set as
    `povmon` would see it and restored afterwards, what it prints captured: the test
    process pays the imports (Dagster, GX, dbt's adapter) once, not once per night."""
    from pipelines.cli import main

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_environment(key, env))
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main([str(arg) for arg in args])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["povmon", *map(str, args)], code,
                                       out.getvalue(), err.getvalue())  # fmt: skip


def run_pipeline(raw: Path, work: Path, *extra: str, env: dict[str, str] | None = None,
                 key: str = TEST_PSEUDONYM_KEY) -> subprocess.CompletedProcess:
    """`povmon run` of ``raw`` into ``work``'s marts and store (in this process), which must
    succeed."""
    result = povmon_in_process("run", "--raw", raw, "--marts", work / "marts",
                               "--warehouse", work / "warehouse" / "warehouse.duckdb",
                               *extra, env=env, key=key)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def query(marts: Path, sql: str, params: list | None = None,
          database: str = "warehouse.duckdb") -> list[tuple]:
    """Rows of ``sql`` on the published file (or another ``database`` in that folder)."""
    with duckdb.connect(str(marts / database), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def build_again_on_spark(raw: Path, work: Path, spark_work: Path) -> Path:
    """A copy of ``work``'s store (its ingest and validation done) built by `povmon run
    --engine spark` for the night the DuckDB run published; the published marts folder."""
    shutil.copytree(work / "warehouse", spark_work / "warehouse")
    (night,) = query(work / "marts", "select max(run_date) from marts.quality_summary")[0]
    run_pipeline(raw, spark_work, "--engine", "spark", "--run-date", night.isoformat())
    return spark_work / "marts"
