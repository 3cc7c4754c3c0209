"""Atomic publication of the marts: ``<marts>/warehouse.duckdb`` (schema ``marts``) and
``<marts>/<mart>.parquet``.

The new file is built beside the old one under a hidden name and renamed into place, so a
statistician who opens the published file (read-only) sees last night's marts or
tonight's, never a half-built file. Only schema ``marts`` is copied, with its column
comments; a table with a personal-data column is refused, so ID numbers and names cannot
leave the restricted store by accident.

Publishing rewrites only what changed since the last publication. The hidden file starts as
a copy of the published one, and each mart's rows are compared with the published rows
part by part (per ``run_date`` where the mart has one, else per ``year``, else as a whole)
by their count and an order-blind sum of row hashes; only the parts that differ are
replaced, and only a changed mart's Parquet file is rewritten: a night with nothing new
does not copy every night's flags again.

Whatever a failed publication left (a full disk, a killed process) never reaches the next
one: each starts by removing the hidden files, the write-ahead log beside the hidden
database included (DuckDB would replay it into the new copy, and the comparison would see
nothing to rewrite). And each Parquet file carries, in its key-value metadata, the count
and row-hash sum of the rows it was written from: a file whose stamp differs from its
published table's, however that came about, is written again, so the Parquet files always
agree with the published database. The key-value metadata also holds the mart's description and its
columns' (``comment``; ``column_comments``, a JSON object column -> Chinese description), so
that R's arrow and pandas users read what each column means; new descriptions rewrite the
file too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.core.duckdb_limits import DEFAULT_DUCKDB_LIMITS, DuckDBLimits, duckdb_config
from pipelines.core.sql_literal import sql_text

PUBLISHED_FILE = "warehouse.duckdb"
PERSONAL_COLUMNS = frozenset({"id_number", "name", "head_id_number"})
# Written in DuckDB 1.0's storage format so that statisticians' older clients (the DuckDB
# CLI, R and Python packages of any 1.x release) can open the published file.
STORAGE_VERSION = "v1.0.0"
# The columns a mart's rows are compared and replaced by, the first a mart has: a night
# adds its own run_date to the quality history's marts; a new delivery changes some years.
PART_COLUMNS = ("run_date", "year")
ROWS_STAMP = "povmon_rows"  # Parquet key-value metadata: "<count>:<row-hash sum>:<comments>"


class PersonalDataError(RuntimeError):
    """A mart about to be published holds a personal-data column."""


@dataclass(frozen=True)
class Published:
    database: Path
    tables: dict[str, int]  # mart -> rows
    changed: list[str]  # the marts whose rows changed tonight (their Parquet rewritten)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str | None


def _marts(conn: duckdb.DuckDBPyConnection, database: str) -> dict[str, str | None]:
    """Schema marts' tables in ``database`` and their comments."""
    return dict(conn.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name = 'marts' order by 1", [database]).fetchall())


def _columns(conn: duckdb.DuckDBPyConnection, database: str, table: str) -> list[Column]:
    """A table's columns in order; none when the table is not there."""
    return [Column(*row) for row in conn.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where database_name = ? and schema_name = 'marts' and table_name = ? "
        "order by column_index", [database, table]).fetchall()]


def _changed_parts(conn: duckdb.DuckDBPyConnection, source: str, target: str, part: str) -> None:
    """Temp table changed_parts: the values of ``part`` whose rows differ (count or hash)."""
    tally = "select {part} as part, count(*) as n, sum(hash(t)) as h from {table} as t group by 1"
    new, old = tally.format(part=part, table=source), tally.format(part=part, table=target)
    conn.execute(f"""create or replace temp table changed_parts as
        select distinct part from (({new} except {old}) union all ({old} except {new}))""")


def _replace_changed_rows(conn: duckdb.DuckDBPyConnection, table: str,
                          columns: list[Column], published: list[Column]) -> bool:
    """Bring published.marts.<table> to the source's rows; whether any row changed. A mart
    that is new, or whose columns changed, is copied whole."""
    source, target = f"source.marts.{table}", f"published.marts.{table}"
    shape = [(c.name, c.type) for c in columns]
    if shape != [(c.name, c.type) for c in published]:
        conn.execute(f"drop table if exists {target}")
        conn.execute(f"create table {target} as select * from {source}")
        return True
    names = {c.name for c in columns}
    part = next((name for name in PART_COLUMNS if name in names), "true")
    _changed_parts(conn, source, target, part)
    if not conn.execute("select count(*) from changed_parts").fetchone()[0]:
        return False
    in_changed = (f"({part} in (select part from changed_parts) or ({part} is null and "
                  "exists (select 1 from changed_parts where part is null)))")
    conn.execute(f"delete from {target} where {in_changed}")
    conn.execute(f"insert into {target} select * from {source} where {in_changed}")
    return True


def _copy_comments(conn: duckdb.DuckDBPyConnection, table: str, comment: str | None,
                   columns: list[Column]) -> None:
    """The table's and its columns' comments, where they differ from the published ones."""
    target = f"published.marts.{table}"
    if comment and comment != _marts(conn, "published").get(table):
        conn.execute(f"comment on table {target} is {sql_text(comment)}")
    published = {c.name: c.comment for c in _columns(conn, "published", table)}
    for column in columns:
        if column.comment and column.comment != published.get(column.name):
            conn.execute(f"comment on column {target}.{column.name} is {sql_text(column.comment)}")


def _descriptions(comment: str | None, columns: list[Column]) -> dict[str, str]:
    """A Parquet file's descriptive key-value metadata: the mart's and its columns' comments."""
    return {"comment": comment or "", "column_comments": json.dumps(
        {c.name: c.comment or "" for c in columns}, ensure_ascii=False)}


def _rows_stamp(conn: duckdb.DuckDBPyConnection, table: str, descriptions: dict[str, str]) -> str:
    """The count and order-blind row-hash sum of a published mart, and a digest of its
    descriptions."""
    count, hashes = conn.execute(f"select count(*), sum(hash(t)) from {table} as t").fetchone()
    described = hashlib.sha256(json.dumps(descriptions, sort_keys=True).encode()).hexdigest()
    return f"{count}:{hashes}:{described[:16]}"


def _parquet_stamp(path: Path) -> str | None:
    """The rows stamp a Parquet file was written with; None when absent or unreadable."""
    if not path.exists():
        return None
    try:
        rows = duckdb.execute("select value::varchar from parquet_kv_metadata(?) where key = ?",
                              [str(path), ROWS_STAMP]).fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


def _remove_leftovers(marts_dir: Path) -> None:
    """The hidden files of a publication that did not finish: its database, the database's
    write-ahead log and the Parquet files it had not renamed into place."""
    for leftover in marts_dir.glob(f".{PUBLISHED_FILE}.building*"):
        leftover.unlink()
    for leftover in marts_dir.glob(".*.parquet.building"):
        leftover.unlink()


def publish(warehouse_path: Path, marts_dir: Path,
            limits: DuckDBLimits = DEFAULT_DUCKDB_LIMITS) -> Published:
    marts_dir.mkdir(parents=True, exist_ok=True)
    database = marts_dir / PUBLISHED_FILE
    building = marts_dir / f".{PUBLISHED_FILE}.building"
    _remove_leftovers(marts_dir)
    if database.exists():
        shutil.copyfile(database, building)
    tables: dict[str, int] = {}
    changed: list[str] = []
    parquet_tmp: list[tuple[Path, Path]] = []
    with duckdb.connect(config=duckdb_config(warehouse_path, limits)) as conn:
        conn.execute(f"attach {sql_text(str(warehouse_path))} as source (read_only)")
        conn.execute(f"attach {sql_text(str(building))} as published "
                     f"(storage_version {sql_text(STORAGE_VERSION)})")
        marts = _marts(conn, "source")
        if not marts:
            raise RuntimeError(f"{warehouse_path} has no marts yet: run the dbt build first")
        columns = {table: _columns(conn, "source", table) for table in marts}
        for table, table_columns in columns.items():
            personal = PERSONAL_COLUMNS.intersection(c.name for c in table_columns)
            if personal:
                raise PersonalDataError(f"marts.{table} holds {sorted(personal)}; not published")
        conn.execute("create schema if not exists published.marts")
        for gone in _marts(conn, "published").keys() - marts.keys():
            conn.execute(f"drop table published.marts.{gone}")
        for table, comment in marts.items():
            published = _columns(conn, "published", table)
            rows_changed = _replace_changed_rows(conn, table, columns[table], published)
            _copy_comments(conn, table, comment, columns[table])
            tables[table] = conn.execute(f"select count(*) from published.marts.{table}"
                                         ).fetchone()[0]
            parquet = marts_dir / f"{table}.parquet"
            if rows_changed:
                changed.append(table)
            descriptions = _descriptions(comment, columns[table])
            stamp = _rows_stamp(conn, f"published.marts.{table}", descriptions)
            if _parquet_stamp(parquet) == stamp:
                continue
            tmp = marts_dir / f".{table}.parquet.building"
            metadata = ", ".join(f"{key}: {sql_text(value)}" for key, value in
                                 {ROWS_STAMP: stamp, **descriptions}.items())
            conn.execute(f"copy published.marts.{table} to {sql_text(str(tmp))} (format parquet, "
                         f"kv_metadata {{{metadata}}})")
            parquet_tmp.append((tmp, parquet))
        conn.execute("detach published")
        conn.execute("detach source")
    for tmp, target in parquet_tmp:
        os.replace(tmp, target)
    os.replace(building, database)
    return Published(database=database, tables=tables, changed=changed)
