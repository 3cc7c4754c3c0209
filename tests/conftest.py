"""Fixtures shared by the ingest tests."""

import duckdb
import pytest


@pytest.fixture
def conn(tmp_path):
    """A fresh warehouse file of the test's own."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as c:
        yield c
