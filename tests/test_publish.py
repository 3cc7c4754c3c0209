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
