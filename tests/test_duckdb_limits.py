"""Every DuckDB connection povmon opens is capped (memory, threads) and spills inside the
restricted warehouse folder, never to a world-readable temp folder."""

import os
import subprocess
from pathlib import Path

import pytest

from pipelines.core.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings
from pipelines.core.store import Warehouse


def settings_of(conn) -> tuple:
    return conn.execute("select current_setting('memory_limit'), current_setting('threads'), "
                        "current_setting('temp_directory')").fetchone()


def test_warehouse_connections_take_the_configured_memory_threads_and_spill_folder(tmp_path):
    warehouse = Warehouse(Settings.from_env({
        "POVMON_WAREHOUSE": str(tmp_path / "w" / "warehouse.duckdb"),
        "POVMON_DUCKDB_MEMORY_LIMIT": "1GB", "POVMON_DUCKDB_THREADS": "1"}))
    with warehouse.connect() as conn:
        assert settings_of(conn) == ("953.6 MiB", 1, str(tmp_path / "w" / ".spill"))


@pytest.mark.slow
def test_dbt_connections_take_the_same_caps(tmp_path):
    env = {**os.environ, "POVMON_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
           "POVMON_PSEUDONYM_KEY": "k", "POVMON_DUCKDB_MEMORY_LIMIT": "1500MB",
           "POVMON_DUCKDB_THREADS": "1"}
    result = subprocess.run(
        [DBT_EXECUTABLE, "show", "--quiet", "--output", "json", "--inline",
         "select current_setting('memory_limit') as m, current_setting('threads') as t, "
         "current_setting('temp_directory') as d",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=300, env=env, cwd=Path(DBT_PROJECT_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"m": "1.3 GiB"' in result.stdout and '"t": 1' in result.stdout
    assert f'"d": "{tmp_path / ".spill"}"' in result.stdout  # where every connection spills
