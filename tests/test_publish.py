"""Publishing: only schema marts, with comments; personal data refused; atomic."""

import duckdb
import pytest

from pipelines.publish.publish import PersonalDataError, publish


def _warehouse(path, mart_sql):
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.registry as select '11010519491231002X' as id_number")
        conn.execute("create schema marts")
        conn.execute(mart_sql)
        conn.execute("comment on column marts.m.n is '人数'")


def test_publish_copies_marts_with_comments_and_parquet_but_not_the_restricted_tables(tmp_path):
    _warehouse(tmp_path / "w.duckdb", "create table marts.m as select 42 as n")
    result = publish(tmp_path / "w.duckdb", tmp_path / "marts")
    assert result.tables == {"m": 1}
    with duckdb.connect(str(result.database), read_only=True) as conn:
        assert conn.execute("select schema_name, table_name from duckdb_tables()").fetchall() == [
            ("marts", "m")]
        assert conn.execute("select comment from duckdb_columns() where column_name = 'n'"
                            ).fetchone() == ("人数",)
    assert duckdb.sql(f"select n from '{tmp_path}/marts/m.parquet'").fetchall() == [(42,)]
    assert sorted(p.name for p in (tmp_path / "marts").iterdir()) == ["m.parquet", "warehouse.duckdb"]


def test_a_mart_with_an_id_number_column_is_refused_and_the_old_file_stays(tmp_path):
    _warehouse(tmp_path / "good.duckdb", "create table marts.m as select 1 as n")
    published = publish(tmp_path / "good.duckdb", tmp_path / "marts").database
    before = published.read_bytes()
    _warehouse(tmp_path / "bad.duckdb",
               "create table marts.m as select 1 as n, '11010519491231002X' as id_number")
    with pytest.raises(PersonalDataError, match=r"marts.m holds \['id_number'\]; not published"):
        publish(tmp_path / "bad.duckdb", tmp_path / "marts")
    assert published.read_bytes() == before


def test_publish_without_marts_says_to_build_them_first(tmp_path):
    duckdb.connect(str(tmp_path / "w.duckdb")).close()
    with pytest.raises(RuntimeError, match="has no marts yet: run the dbt build first"):
        publish(tmp_path / "w.duckdb", tmp_path / "marts")


def _rows(database, table):
    with duckdb.connect(str(database), read_only=True) as conn:
        return sorted(conn.execute(f"select * from marts.{table}").fetchall(), key=repr)


def test_a_second_publication_rewrites_only_the_parts_that_changed(tmp_path):
    warehouse, marts = tmp_path / "w.duckdb", tmp_path / "marts"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.flags as select * from (values (date '2026-11-01', 'a'),"
                     " (date '2026-11-02', 'b'), (date '2026-11-02', 'c')) t(run_date, flag)")
        conn.execute("create table marts.by_year as select * from (values (2019, 1), (2020, 2),"
                     " (null, 3)) t(year, n)")
        conn.execute("create table marts.pairs as select * from (values ('x'), ('x')) t(v)")
        conn.execute("create table marts.gone as select 1 as n")
        conn.execute("comment on column marts.by_year.n is '人数'")
    first = publish(warehouse, marts)
    assert sorted(first.changed) == ["by_year", "flags", "gone", "pairs"]
    flags_parquet = (marts / "flags.parquet").stat().st_mtime_ns

    assert publish(warehouse, marts).changed == []  # nothing new: no mart, no Parquet rewritten
    assert (marts / "flags.parquet").stat().st_mtime_ns == flags_parquet

    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("insert into marts.flags values (date '2026-11-03', 'c')")  # a new night
        conn.execute("update marts.by_year set n = 30 where year is null")  # the NULL year
        conn.execute("update marts.pairs set v = 'y'")  # (x, x) -> (y, y): same count
        conn.execute("drop table marts.gone")
        conn.execute("alter table marts.by_year alter n type bigint")  # copied whole
    third = publish(warehouse, marts)
    assert sorted(third.changed) == ["by_year", "flags", "pairs"]
    assert third.tables == {"by_year": 3, "flags": 4, "pairs": 2}
    for table in third.tables:
        assert _rows(third.database, table) == _rows(warehouse, table)
        assert duckdb.sql(f"select count(*) from '{marts}/{table}.parquet'").fetchall() == [(
            third.tables[table],)]
    with duckdb.connect(str(third.database), read_only=True) as conn:
        assert conn.execute("select table_name from duckdb_tables() order by 1").fetchall() == [
            ("by_year",), ("flags",), ("pairs",)]
        assert conn.execute("select data_type, comment from duckdb_columns() "
                            "where table_name = 'by_year' and column_name = 'n'"
                            ).fetchone() == ("BIGINT", "人数")


CRASH_HALF_WAY = """
import os, sys
from pathlib import Path
import pipelines.publish.publish as publishing

copied = publishing._copy_comments
def copy_then_die(conn, table, *args):
    copied(conn, table, *args)
    if table == sys.argv[3]:  # the marts so far replaced in the write-ahead log only
        os._exit(9)  # a full disk or a killed process: nothing cleaned up
publishing._copy_comments = copy_then_die
publishing.publish(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def _night(warehouse, n):
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema if not exists marts")
        for table in ("a", "b", "c", "d"):
            conn.execute(f"create or replace table marts.{table} as "
                         f"select {n} * range as n from range(3)")


def test_a_publication_failed_half_way_never_leaves_parquet_behind_the_database(tmp_path):
    """Night 1 published; night 2's publication dies half-way (its hidden database and its
    write-ahead log left behind), then succeeds on the next try: every Parquet file holds
    its published table's rows. Replayed into the new copy, the log made marts a-c look
    published already, and their Parquet files stayed at night 1."""
    import subprocess
    import sys

    warehouse, marts = tmp_path / "w.duckdb", tmp_path / "marts"
    _night(warehouse, 1)
    publish(warehouse, marts)
    _night(warehouse, 2)
    died = subprocess.run([sys.executable, "-c", CRASH_HALF_WAY, str(warehouse), str(marts), "c"],
                          capture_output=True, text=True)
    assert died.returncode == 9, died.stderr
    assert (marts / ".warehouse.duckdb.building.wal").exists()
    again = publish(warehouse, marts)
    assert sorted(again.changed) == ["a", "b", "c", "d"]
    assert sorted(p.name for p in marts.iterdir()) == [
        "a.parquet", "b.parquet", "c.parquet", "d.parquet", "warehouse.duckdb"]
    for table in "abcd":
        assert _rows(again.database, table) == [(0,), (2,), (4,)]
        assert sorted(duckdb.sql(f"select * from '{marts}/{table}.parquet'").fetchall()) == [
            (0,), (2,), (4,)]


def test_a_parquet_file_that_disagrees_with_its_table_is_written_again(tmp_path):
    warehouse, marts = tmp_path / "w.duckdb", tmp_path / "marts"
    _night(warehouse, 1)
    publish(warehouse, marts)
    duckdb.sql(f"copy (select 99 as n) to '{marts}/a.parquet' (format parquet)")
    assert publish(warehouse, marts).changed == []
    assert sorted(duckdb.sql(f"select * from '{marts}/a.parquet'").fetchall()) == [(0,), (1,), (2,)]
