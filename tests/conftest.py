"""Fixtures shared by the ingest tests, and how the test process ends."""

import atexit
import os
import sys

import duckdb
import pytest

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
    the Spark equality test, which builds the same warehouse again on Spark."""
    raw = tmp_path_factory.mktemp("raw")
    # 6,000 persons: townships of 6 or 7 villages, enough siblings to score an outlier
    made = povmon("generate", "--persons", "6000", "--seed", "7", "--defect-rate", "0.01",
                  "--out", raw)
    assert made.returncode == 0, made.stderr
    work = tmp_path_factory.mktemp("work")
    result = run_pipeline(raw, work)
    return raw, work / "marts", result.stdout + result.stderr


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the test process as `povmon` ends (pipelines/cli.py `entry`): after GX has used
    DuckDB in-process, interpreter teardown makes DuckDB's nanobind bindings print a
    thousand "leaked ..." lines after pytest's summary, burying the closing line."""
    if EXIT_STATUS in config.stash:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[EXIT_STATUS])
