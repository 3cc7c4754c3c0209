"""A failing contract check blocks the marts and says why; quality warnings do not."""

import duckdb
import pytest

from pipelines.feeds import TABLES
from tests.deliveries import VALID_ROWS, deliver, table_file
from tests.runner import povmon_in_process

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out


def _deliver_minimal_province(raw):
    for table_name, day in (("population", "2020-12-31"), ("standards", "2020-01-15"),
                            ("registry", "2020-12-31")):  # fmt: skip
        table = TABLES[table_name]
        deliver(raw, table_name, day, {"f.csv": table_file(table, [VALID_ROWS[table_name]])})


def _run(tmp_path):
    return povmon_in_process("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                             "--warehouse", tmp_path / "wh" / "w.duckdb", "--log-level", "WARNING")


def test_quality_warnings_do_not_block_and_contract_failures_do(tmp_path):
    _deliver_minimal_province(tmp_path / "raw")
    deliver(tmp_path / "raw", "registry", "2020-12-31", {"f.csv": table_file(
        TABLES["registry"], [{**VALID_ROWS["registry"], "id_number": "110105194912310021"}])})
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    warning = ("registry.quality: 1 of 6 expectations failed — R01 证件号码错误 id_number: 1 row")
    assert f"warning: {warning}" in first.stdout
    published = (tmp_path / "marts" / "warehouse.duckdb").read_bytes()

    # a damaged store: its staged registry lacks a mandatory column of the contract (an
    # optional one the ingest adds back, see test_ingest)
    with duckdb.connect(str(tmp_path / "wh" / "w.duckdb")) as conn:
        conn.execute("alter table raw.registry drop column per_capita_income")
    second = _run(tmp_path)
    assert second.returncode == 1
    assert "blocked by registry_contract" in second.stderr
    assert "expect_table_columns_to_match_set" in second.stderr
    assert (tmp_path / "marts" / "warehouse.duckdb").read_bytes() == published
