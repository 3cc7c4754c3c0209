"""A Spark build's results, brought into the DuckDB store, so that publishing, the quality
report and the worklists read them where they read a DuckDB build's.

Spark writes each table as a folder of Parquet files under its warehouse directory
(``<spark>/warehouse/<schema>.db/<table>/``). The tables of schemas ``marts`` (what is
published) and ``restricted`` (the worklist) are copied into the store's tables of the same
names, with the dbt descriptions as comments (the Chinese comments of the published
marts; dbt-duckdb writes them itself with persist_docs, dbt-spark into Spark's metastore).
The seeds of those schemas (``marts.value_labels``) come along as the models do.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.core.sql_literal import sql_text

COLLECTED_SCHEMAS = ("marts", "restricted")


def _tables(manifest: dict) -> list[dict]:
    return sorted((node for node in manifest["nodes"].values()
                   if node["resource_type"] in ("model", "seed")
                   and node["config"].get("schema") in COLLECTED_SCHEMAS),
                  key=lambda node: (node["config"]["schema"], node["name"]))  # fmt: skip


def spark_table_folder(spark_warehouse: Path, schema: str, table: str) -> Path:
    return spark_warehouse / f"{schema}.db" / table


def collect(conn: duckdb.DuckDBPyConnection, spark_warehouse: Path,
            manifest_path: Path) -> dict[str, int]:
    """Copy the Spark build's marts and restricted tables into ``conn``'s store; returns
    rows per table (``schema.table``)."""
    rows: dict[str, int] = {}
    for node in _tables(json.loads(manifest_path.read_text())):
        schema, name = node["config"]["schema"], node["name"]
        folder = spark_table_folder(spark_warehouse, schema, name)
        if not any(folder.glob("*.parquet")):
            raise FileNotFoundError(f"the Spark build left no Parquet files for {schema}.{name} "
                                    f"in {folder}: did the dbt build on Spark fail?")
        target = f"{schema}.{name}"
        conn.execute(f"create schema if not exists {schema}")
        conn.execute(f"create or replace table {target} as "
                     f"select * from read_parquet({sql_text(str(folder / '*.parquet'))})")
        if node.get("description"):
            conn.execute(f"comment on table {target} is {sql_text(node['description'])}")
        for column, spec in node.get("columns", {}).items():
            if spec.get("description"):
                conn.execute(f"comment on column {target}.{column} is "
                             f"{sql_text(spec['description'])}")
        rows[target] = conn.execute(f"select count(*) from {target}").fetchone()[0]
    return rows
