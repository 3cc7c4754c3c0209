"""The proof that a night has nothing new for dbt: the inputs digest changes with a
delivery, a file's reconciliation, a project file or the key, and with nothing else; and
the full refresh of the year-incremental models when the project or the key changed."""

from datetime import date

import duckdb
import pytest

from pipelines.ingest.stage import BOOKKEEPING_DDL
from pipelines.warehouse.build_inputs import (
    Build,
    inputs_digest,
    last_build,
    needs_full_refresh,
    project_digest,
    record_build,
)

KEY = b"key-1"


@pytest.fixture
def warehouse(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        conn.execute(BOOKKEEPING_DDL)
        conn.execute("insert into raw.deliveries values "
                     "('registry', '2020-12-31', 'f1', 'loaded', '2026-11-22 02:00:00')")
        conn.execute("insert into raw.ingest_files (feed, delivery_date, file, rows_read, "
                     "rows_accepted, rows_quarantined, status) values "
                     "('registry', '2020-12-31', 'r.csv', 3, 2, 1, 'loaded')")
        yield conn


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "dbt_project"
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text("name: povmon\n")
    (folder / "models" / "m.sql").write_text("select 1")
    (folder / "target").mkdir()
    return folder


def test_the_digest_stays_when_nothing_a_model_reads_changed(warehouse, project):
    before = inputs_digest(warehouse, project, KEY)
    warehouse.execute("update raw.deliveries set processed_at = '2026-11-23 02:00:00'")
    (project / "target" / "run_results.json").write_text("{}")  # build output, not input
    assert inputs_digest(warehouse, project, KEY) == before


@pytest.mark.parametrize("change", [
    "update raw.deliveries set fingerprint = 'f2'",
    "insert into raw.deliveries values ('dibao', '2020-12-31', null, 'rejected', null)",
    "update raw.ingest_files set rows_quarantined = 0, rows_accepted = 3",
    "project file", "key",
])  # fmt: skip
def test_the_digest_changes_with_each_input(warehouse, project, change):
    before = inputs_digest(warehouse, project, KEY)
    key = KEY
    if change == "project file":
        (project / "models" / "m.sql").write_text("select 2")
    elif change == "key":
        key = b"key-2"
    else:
        warehouse.execute(change)
    assert inputs_digest(warehouse, project, key) != before


def test_the_last_build_is_the_latest_recorded_and_none_before_the_first(warehouse, project):
    assert last_build(warehouse) is None
    record_build(warehouse, date(2026, 11, 22), "a", "p1")
    record_build(warehouse, date(2026, 11, 23), "b", "p2")
    assert last_build(warehouse) == Build(date(2026, 11, 23), "b", "p2")
    warehouse.execute("delete from raw.warehouse_builds")  # what `povmon reset-state warehouse` does
    assert last_build(warehouse) is None


def test_the_project_digest_ignores_deliveries_and_changes_with_a_model_or_the_key(warehouse,
                                                                                    project):
    before = project_digest(project, KEY)
    warehouse.execute("update raw.deliveries set fingerprint = 'f2'")
    assert project_digest(project, KEY) == before
    assert project_digest(project, b"key-2") != before
    (project / "models" / "m.sql").write_text("select 2")
    assert project_digest(project, KEY) != before


@pytest.mark.parametrize(("last", "expected"), [
    (None, True),                                   # the first build
    (Build(date(2026, 11, 22), "a", "p0"), True),   # a model or the key changed
    (Build(date(2026, 11, 22), "a", "p1"), False),  # the same project: years as needed
])  # fmt: skip
def test_a_full_refresh_when_the_first_build_or_the_project_changed(last, expected):
    assert needs_full_refresh(last, "p1") is expected
