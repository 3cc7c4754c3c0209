"""Atomic publication of the marts: ``<marts>/warehouse.duckdb`` (schema ``marts``) and
``<marts>/<mart>.parquet``.

The new file is built beside the old one under a hidden name and renamed into place, so a
statistician who opens the published file (read-only) sees last night's marts or
tonight's, never a half-built file. Only schema ``marts`` is copied, with its column
comments; a table with a personal-data column is refused, so ID numbers and names cannot
leave the restricted store by accident.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.duckdb_limits import duckdb_config
from pipelines.sql_literal import sql_text

PUBLISHED_FILE = "warehouse.duckdb"
PERSONAL_COLUMNS = frozenset({"id_number", "name", "head_id_number"})
# Written in DuckDB 1.0's storage format so that statisticians' older clients (the DuckDB
# CLI, R and Python packages of any 1.x release) can open the published file.
STORAGE_VERSION = "v1.0.0"


class PersonalDataError(RuntimeError):
    """A mart about to be published holds a personal-data column."""


@dataclass(frozen=True)
class Published:
    database: Path
    tables: dict[str, int]  # mart -> rows


def publish(warehouse_path: Path, marts_dir: Path) -> Published:
    marts_dir.mkdir(parents=True, exist_ok=True)
    building = marts_dir / f".{PUBLISHED_FILE}.building"
    building.unlink(missing_ok=True)
    tables: dict[str, int] = {}
    parquet_tmp: list[tuple[Path, Path]] = []
    with duckdb.connect(config=duckdb_config(warehouse_path)) as conn:
        conn.execute(f"attach {sql_text(str(warehouse_path))} as source (read_only)")
        conn.execute(f"attach {sql_text(str(building))} as published "
                     f"(storage_version {sql_text(STORAGE_VERSION)})")
        marts = conn.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'source' and schema_name = 'marts' order by 1"
        ).fetchall()
        if not marts:
            raise RuntimeError(f"{warehouse_path} has no marts yet: run the dbt build first")
        conn.execute("create schema published.marts")
        for table, comment in marts:
            columns = conn.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'source' "
                "and schema_name = 'marts' and table_name = ? order by column_index",
                [table],
            ).fetchall()
            personal = PERSONAL_COLUMNS.intersection(c for c, _ in columns)
            if personal:
                raise PersonalDataError(f"marts.{table} holds {sorted(personal)}; not published")
            target = f"published.marts.{table}"
            conn.execute(f"create table {target} as select * from source.marts.{table}")
            if comment:
                conn.execute(f"comment on table {target} is {sql_text(comment)}")
            for column, text in columns:
                if text:
                    conn.execute(f"comment on column {target}.{column} is {sql_text(text)}")
            tables[table] = conn.execute(f"select count(*) from {target}").fetchone()[0]
            tmp = marts_dir / f".{table}.parquet.building"
            conn.execute(f"copy {target} to {sql_text(str(tmp))} (format parquet)")
            parquet_tmp.append((tmp, marts_dir / f"{table}.parquet"))
        conn.execute("detach published")
        conn.execute("detach source")
    for tmp, target in parquet_tmp:
        os.replace(tmp, target)
    database = marts_dir / PUBLISHED_FILE
    os.replace(building, database)
    return Published(database=database, tables=tables)
