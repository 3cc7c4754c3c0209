"""Fixtures shared by the ingest tests, and how the test process ends."""

import atexit
import os
import sys

import duckdb
import pytest
from filelock import FileLock

from tests.runner import povmon, run_pipeline

EXIT_STATUS = pytest.StashKey[int]()


@pytest.fixture
def conn(tmp_path):
    """A fresh warehouse file of the test's own."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as c:
        yield c


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    """A generated province through `povmon generate` and `povmon run` (DuckDB): the raw
    folder, the published marts and what the run printed. Shared by the end-to-end tests and
    the Spark equality test, which builds the same warehouse again on Spark; built once for
    the whole run even when pytest-xdist runs those modules in two processes (the first
    builds it under a lock, the other reads what it left)."""
    shared = tmp_path_factory.getbasetemp().parent  # one folder for every xdist worker
    raw, work, printed = shared / "province_raw", shared / "province_work", shared / "province.log"
    with FileLock(str(shared / "province.lock")):
        if not printed.exists():
            # 6,000 persons: townships of 6 or 7 villages, enough siblings to score an outlier
            made = povmon("generate", "--persons", "6000", "--seed", "7", "--defect-rate", "0.01",
                          "--out", raw)
            assert made.returncode == 0, made.stderr
            result = run_pipeline(raw, work)
            printed.write_text(result.stdout + result.stderr, encoding="utf-8")
    return raw, work / "marts", printed.read_text(encoding="utf-8")


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the test process as `povmon` ends (pipelines/cli.py `entry`): after GX has used
    DuckDB in-process, interpreter teardown makes DuckDB's nanobind bindings print a
    thousand "leaked ..." lines after pytest's summary, burying the closing line."""
    if EXIT_STATUS in config.stash and not hasattr(config, "workerinput"):
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[EXIT_STATUS])


# The modules that take longest (a Spark build, several nights, the daemon), started first:
# pytest-xdist hands out whole modules in collection order, and one of these started last
# would run alone at the end while the other worker sits idle. The end-to-end tests build
# the generated province that the Spark equality test reads, so they come before it.
LONGEST_FIRST = ("test_end_to_end", "test_marts", "test_spark_equality", "test_year_incremental",
                 "test_quality_history", "test_daemon", "test_blocking_checks")


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.module.__name__.rsplit(".", 1)[-1]
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a module, and among the others, the order stays
