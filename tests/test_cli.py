"""The command line as a user meets it: help, and errors that say what to do."""

import fcntl
import os
import subprocess
import sys

from tests.runner import povmon


def test_help_lists_the_commands():
    result = povmon("--help")
    assert result.returncode == 0
    for command in ("generate", "run", "sql"):
        assert command in result.stdout


def test_run_without_deliveries_folder_says_how_to_get_one(tmp_path):
    result = povmon("run", "--raw", tmp_path / "missing", "--marts", tmp_path / "marts",
                    "--warehouse", tmp_path / "w.duckdb")
    assert result.returncode == 2
    assert f"no deliveries folder {tmp_path / 'missing'}" in result.stderr
    assert "povmon generate --out DIR" in result.stderr


def test_a_failing_run_exits_non_zero_and_publishes_nothing(tmp_path):
    (tmp_path / "raw").mkdir()
    blocker = tmp_path / "warehouse" / "w.duckdb"
    blocker.mkdir(parents=True)  # a folder where the warehouse file should be
    os.chmod(blocker.parent, 0o700)
    result = povmon("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                    "--warehouse", blocker, "--log-level", "WARNING")
    assert result.returncode == 1
    assert "run FAILED" in result.stderr and "nothing was published" in result.stderr
    assert not (tmp_path / "marts").exists()
    # each failed step's line names its own error, not Dagster's "Execution of step … failed"
    assert (f"  ingest: dibao                          FAILED: _duckdb.IOException: IO Error: "
            f'Could not read from file "{blocker}": Is a directory') in result.stdout


def test_sql_before_any_run_says_to_run_first(tmp_path):
    result = povmon("sql", "select 1", "--marts", tmp_path)
    assert result.returncode == 2
    assert "run `povmon run` first" in result.stderr


def test_generate_refuses_years_outside_the_simulation():
    result = povmon("generate", "--years", "2010-2012")
    assert result.returncode == 2
    assert "years must lie within 2016-2020" in result.stderr


def test_run_without_a_pseudonym_key_refuses_and_says_what_to_do(tmp_path):
    result = povmon("run", "--raw", tmp_path, "--marts", tmp_path / "marts", key=None)
    assert result.returncode == 2
    assert "POVMON_PSEUDONYM_KEY is not set" in result.stderr
    assert "povmon run --demo" in result.stderr
    assert not (tmp_path / "marts").exists()


def test_demo_says_it_uses_the_public_development_key(tmp_path):
    result = povmon("run", "--demo", "--raw", tmp_path / "missing", key=None)
    assert "PUBLIC development key" in result.stderr
    assert result.returncode == 2  # then stops: no deliveries folder


def test_a_second_run_stops_at_once_while_another_holds_the_warehouse(tmp_path):
    (tmp_path / "raw").mkdir()
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(mode=0o700)
    with open(f"{warehouse}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("2026-11-23 02:00:05 Beijing time, process 4242")
        lock.flush()
        result = povmon("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                        "--warehouse", warehouse)
    assert result.returncode == 3
    assert result.stderr == (f"error: another povmon run is using {warehouse} (since 2026-11-23 "
                             "02:00:05 Beijing time, process 4242); try again when it ends\n")


def test_a_run_stops_at_once_while_another_process_holds_duckdbs_lock(tmp_path):
    """A run started from the Dagster UI holds DuckDB's own lock, not povmon's lock file."""
    (tmp_path / "raw").mkdir()
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(mode=0o700)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
        "time.sleep(60)"), str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "ready\n"
        result = povmon("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                        "--warehouse", warehouse)
    finally:
        holder.kill()
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: another povmon run is using {warehouse} (since ")
    assert result.stderr.endswith(f" Beijing time, process {holder.pid}); try again when it ends\n")
    assert "Traceback" not in result.stderr


def test_run_refuses_a_restricted_folder_other_accounts_can_read(tmp_path):
    (tmp_path / "raw").mkdir()
    shared = tmp_path / "warehouse"
    shared.mkdir()
    os.chmod(shared, 0o755)
    result = povmon("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                    "--warehouse", shared / "warehouse.duckdb")
    assert result.returncode == 2
    assert result.stderr == (
        f"error: the restricted folder {shared} (ID numbers and names) can be read by other "
        f"accounts (mode 0755); make it private with `chmod 700 {shared}`, or pass "
        "--allow-shared-warehouse if sharing it is intended\n")
    assert not (shared / "warehouse.duckdb").exists()


def test_allow_shared_warehouse_lets_the_run_use_an_open_folder(tmp_path):
    (tmp_path / "raw").mkdir()
    shared = tmp_path / "warehouse"
    shared.mkdir()
    os.chmod(shared, 0o755)
    with open(shared / "warehouse.duckdb.lock", "w") as lock:  # stop it right after the check
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = povmon("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                        "--warehouse", shared / "warehouse.duckdb", "--allow-shared-warehouse")
    assert result.returncode == 3 and "another povmon run" in result.stderr
