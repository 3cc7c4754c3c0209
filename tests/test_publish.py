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
