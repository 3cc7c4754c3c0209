"""The Spark engine's own parts, without starting Spark: the staged deliveries as Parquet
files, one per table and delivery, written once and rewritten only when re-delivered; the
engine setting; the dbt command each engine runs; DuckDB's rounding for Spark.

Registry deliveries (village V1):
  night 1  2019-12-31 (2 rows) and 2020-12-31 (3 rows) staged  -> 2 files written
  night 2  nothing new                                         -> nothing written, 2 unchanged
  night 3  2020-12-31 corrected (4 rows), 2019-12-31 re-delivered without its 证件号码
           column (rejected: its rows leave the store)         -> 1 written, 1 removed
"""

import json
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from pipelines.core.settings import SPARK_DBT_EXECUTABLE, Settings, UnknownEngine
from pipelines.feeds import FEEDS
from pipelines.ingest.stage import ingest_feed

# through the definitions, which export the paths dbt's profile reads before it is parsed
from pipelines.warehouse.assets import dbt_project
from pipelines.warehouse.dbt_cli import dbt_cli
from pipelines.warehouse.spark.rounding import round_half_up
from pipelines.warehouse.spark.staged_parquet import BOOKKEEPING_TABLES, export_staged
from tests.deliveries import REGISTRY_HEADER, deliver, make_id, person

V1 = "510101100201"
PERSONS = [make_id("19800101", f"{n:03d}") for n in range(1, 6)]

def registry(raw: Path, day: str, count: int, header: list[str] = REGISTRY_HEADER) -> None:
    rows = [person(f"H{n}", PERSONS[n], "户主", V1, "未脱贫") for n in range(count)]
    if header is not REGISTRY_HEADER:  # the 证件号码 column left out
        rows = [row[:1] + row[2:] for row in rows]
    shutil.rmtree(raw / "registry" / day, ignore_errors=True)
    deliver(raw, "registry", day, {"r.csv": [header, *rows]})

def ingest_and_export(conn: duckdb.DuckDBPyConnection, raw: Path, staged: Path):
    for feed in FEEDS.values():
        ingest_feed(conn, raw, feed, log=lambda _: None)
    return export_staged(conn, staged)

def rows_in(staged: Path, table: str) -> int:
    return duckdb.sql(f"select count(*) from read_parquet('{staged / table}/*.parquet')").fetchall()[0][0]

@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    raw, staged = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("w") / "spark" / "staged"
    summaries = []
    with duckdb.connect(str(tmp_path_factory.mktemp("w") / "warehouse.duckdb")) as conn:
        registry(raw, "2019-12-31", 2)
        registry(raw, "2020-12-31", 3)
        summaries.append(ingest_and_export(conn, raw, staged))
        files_after_night_1 = sorted(p.name for p in (staged / "registry").iterdir())
        summaries.append(ingest_and_export(conn, raw, staged))
        registry(raw, "2020-12-31", 4)
        registry(raw, "2019-12-31", 2, header=REGISTRY_HEADER[:1] + REGISTRY_HEADER[2:])
        summaries.append(ingest_and_export(conn, raw, staged))
    return staged, summaries, files_after_night_1

def test_first_night_writes_one_file_per_staged_delivery(nights):
    staged, (first, _, _), files = nights
    # ID numbers inside: owner-only, the Spark folder it made included
    assert [stat.S_IMODE(f.stat().st_mode) for f in (staged.parent, staged)] == [0o700, 0o700]
    assert first.written == ["registry/2019-12-31", "registry/2020-12-31"]
    assert (first.removed, first.unchanged) == ([], 0)
    assert files == [
        "2019-12-31.parquet", "2020-12-31.parquet", "_exported.json", "empty.parquet"]

def test_a_night_with_nothing_new_writes_nothing(nights):
    _, (_, second, _), _ = nights
    assert (second.written, second.removed, second.unchanged) == ([], [], 2)

def test_a_corrected_redelivery_is_rewritten_and_a_rejected_one_removed(nights):
    staged, (_, _, third), _ = nights
    assert third.written == ["registry/2020-12-31"]
    assert third.removed == ["registry/2019-12-31"]
    assert third.unchanged == 0
    assert rows_in(staged, "registry") == 4  # the corrected 2020 delivery, nothing of 2019
    ledger = json.loads((staged / "registry" / "_exported.json").read_text())
    assert list(ledger) == ["2020-12-31"]

def test_every_table_has_its_columns_even_without_a_delivery(nights):
    staged, _, _ = nights
    for name in ["population", "dibao", "medical_claims", "funds"]:
        assert rows_in(staged, name) == 0
        columns = duckdb.sql(f"describe select * from '{staged / name}/empty.parquet'").fetchall()
        assert "delivery_date" in [c[0] for c in columns]
    for name in BOOKKEEPING_TABLES:
        assert (staged / name / "all.parquet").exists()

def test_engine_is_duckdb_unless_set_and_an_unknown_one_is_refused(monkeypatch):
    monkeypatch.delenv("POVMON_ENGINE", raising=False)
    assert Settings.from_env().engine == "duckdb"
    monkeypatch.setenv("POVMON_ENGINE", "spark")
    assert Settings.from_env().engine == "spark"
    monkeypatch.setenv("POVMON_ENGINE", "hive")
    with pytest.raises(UnknownEngine, match="POVMON_ENGINE='hive': the engines are duckdb, spark"):
        Settings.from_env()

def test_spark_runs_dbt_inside_povmon_s_session_on_the_spark_target():
    settings = Settings.from_env({})
    spark = dbt_cli(dbt_project(), settings, "spark")
    assert (spark.dbt_executable, spark.target) == (SPARK_DBT_EXECUTABLE, "spark")
    assert dbt_cli(dbt_project(), settings).target is None  # unless POVMON_ENGINE says spark
    assert spark.environment["POVMON_ENGINE"] == "duckdb"  # the run's engine is its config

def test_ratios_round_the_exact_binary_value_as_duckdb_does():
    assert round_half_up(-0.19985, 4) == -0.1998  # stored as -0.19984999999999999987
    assert round_half_up(2.675, 2) == 2.67  # 2.67499999999999982236431605997495353221893310546875
    assert round_half_up(0.125, 2) == 0.13  # exactly a half: away from zero
    assert round_half_up(-0.125, 2) == -0.13
    assert round_half_up(None, 2) is None
    assert duckdb.sql("select round(-0.19985::double, 4), round(2.675::double, 2)").fetchall() == [
        (-0.1998, 2.67)]
