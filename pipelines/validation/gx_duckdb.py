"""Making Great Expectations 1.x compute its metrics inside DuckDB.

Two things break GX's SQL engine on DuckDB (via duckdb_engine); both are fixed here at
their cause, and tests/test_gx_duckdb.py fails if either comes back:

1. Empty results (`MetricResolutionError: list index out of range`, GX issue #11579).
   `SqlAlchemyExecutionEngine.execute_query` runs each query in `with engine.connect()`
   and fetches the rows after the block; closing a SQLAlchemy 2 connection rolls back
   its transaction, and a DuckDB rollback discards the pending result. GX already keeps
   one persisted connection for dialects that need it (SQLite, SQL Server, …); DuckDB is
   registered as one of them, so results are fetched before any rollback.
2. Column reflection: duckdb_engine inherits PostgreSQL's reflection, and SQLAlchemy 2.1's
   version queries `pg_catalog.pg_collation`, which DuckDB lacks; GX then falls back to a
   query that drops the schema name. pyproject.toml pins `sqlalchemy>=2.0,<2.1`.

GX also warns "No sqlalchemy dialect found; relying on top-level sqlalchemy types." once
per type check: it has no type module for duckdb, and the top-level SQLAlchemy types are
exactly what duckdb_engine reflects, so that warning (and only it) is filtered out.

The connection is opened read-only, and `duckdb_table_asset` disposes the engine afterwards:
DuckDB allows one writer process, and the ingest and dbt steps need it. Its memory is
capped (large aggregates such as a uniqueness check spill to a temporary folder), so
validating a province of any size needs the same few hundred MiB.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import great_expectations as gx
from great_expectations.execution_engine import sqlalchemy_execution_engine

from pipelines.core.duckdb_limits import DEFAULT_DUCKDB_LIMITS, DuckDBLimits, duckdb_config

MEMORY_LIMIT = "256MB"  # a suite's aggregates are narrow: they spill rather than grow


class _TopLevelTypesAreRightForDuckDB(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("No sqlalchemy dialect found")


logging.getLogger("great_expectations.expectations.type_comparison").addFilter(
    _TopLevelTypesAreRightForDuckDB())


class _DuckDBDialect(StrEnum):
    DUCKDB = "duckdb"


def register_duckdb_as_persisted_connection_dialect() -> None:
    dialects = sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS
    if _DuckDBDialect.DUCKDB not in dialects:
        sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS = (
            *dialects,
            _DuckDBDialect.DUCKDB,
        )


@contextmanager
def duckdb_table_asset(
    context: gx.data_context.AbstractDataContext, warehouse: Path, schema: str, table: str,
    limits: DuckDBLimits = DEFAULT_DUCKDB_LIMITS,
) -> Iterator[gx.datasource.fluent.sql_datasource.TableAsset]:
    """The GX table asset of ``schema.table`` in the warehouse, read-only, to add batch
    definitions to; the DuckDB connection is closed when the block ends."""
    register_duckdb_as_persisted_connection_dialect()
    name = f"{schema}.{table}"
    datasource = context.data_sources.add_or_update_sql(
        name=f"warehouse:{name}",
        connection_string=f"duckdb:///{warehouse}",
        kwargs={"connect_args": {"read_only": True,
                                 "config": duckdb_config(warehouse, limits,
                                                        memory_limit=MEMORY_LIMIT)}},
    )
    try:
        yield datasource.add_table_asset(name=name, table_name=table, schema_name=schema)
    finally:
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()
