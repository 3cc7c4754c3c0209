"""Fixtures shared by the ingest tests, and how the test process ends."""

import atexit
import os
import sys

import duckdb
import pytest

EXIT_STATUS = pytest.StashKey[int]()


@pytest.fixture
def conn(tmp_path):
    """A fresh warehouse file of the test's own."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as c:
        yield c


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
