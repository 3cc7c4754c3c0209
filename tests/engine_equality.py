"""Two published marts folders compared mart by mart, row by row: the proof that the Spark
build publishes what the DuckDB build does.

Same marts, same columns in the same order, the same types, the same comments; every value
equal, DECIMAL money to the fen. A DOUBLE (a ratio) may differ by one unit at the rounding
it is published to: both engines round the same quotient, but a quotient that falls on a
half (0.18275) is a binary fraction a hair above or below it, and the engines' rounding
functions read that hair differently (DuckDB scales and rounds, Spark rounds the exact
binary expansion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class MartComparison:
    mart: str
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    ratios_off_by_one_unit: int = 0  # DOUBLE values one unit apart at their rounding


def _published_decimals(values: list[float]) -> int:
    """How many decimals a column is published to: the fewest that keep every value."""
    for decimals in range(10):
        if all(round(v, decimals) == v for v in values if v is not None and math.isfinite(v)):
            return decimals
    return 10


def _table(conn: duckdb.DuckDBPyConnection, database: str, mart: str) -> tuple[list, list]:
    columns = conn.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where database_name = ? and schema_name = 'marts' and table_name = ? "
        "order by column_index", [database, mart]).fetchall()
    doubles = {name for name, kind, _ in columns if kind == "DOUBLE"}
    # rows in the order of their other columns first, so that a ratio a hair apart does
    # not reorder them
    order = [f'"{c}"' for c, _, _ in columns if c not in doubles] + [f'"{c}"' for c in doubles]
    rows = conn.execute(f"select * from {database}.marts.{mart} "
                        f"order by {', '.join(order)} nulls last").fetchall()
    return columns, rows


def compare_marts(duckdb_marts: Path, spark_marts: Path) -> list[MartComparison]:
    with duckdb.connect() as conn:
        conn.execute(f"attach '{duckdb_marts / 'warehouse.duckdb'}' as duck (read_only)")
        conn.execute(f"attach '{spark_marts / 'warehouse.duckdb'}' as spark (read_only)")

        def marts(database: str) -> list[str]:
            return [name for (name,) in conn.execute(
                "select table_name from duckdb_tables() where database_name = ? "
                "and schema_name = 'marts' order by 1", [database]).fetchall()]

        names = marts("duck")
        assert names == marts("spark"), (names, marts("spark"))
        results = []
        for mart in names:
            result = MartComparison(mart)
            (duck_columns, duck_rows), (spark_columns, spark_rows) = (
                _table(conn, "duck", mart), _table(conn, "spark", mart))
            result.rows = len(duck_rows)
            if duck_columns != spark_columns:
                result.problems.append(f"columns, types or comments differ: {duck_columns} "
                                       f"vs {spark_columns}")
            elif len(duck_rows) != len(spark_rows):
                result.problems.append(f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark")
            else:
                for index, (name, kind, _) in enumerate(duck_columns):
                    duck_values = [row[index] for row in duck_rows]
                    spark_values = [row[index] for row in spark_rows]
                    if kind != "DOUBLE":
                        unequal = sum(a != b for a, b in zip(duck_values, spark_values, strict=True))
                        if unequal:
                            result.problems.append(f"{name}: {unequal} values differ")
                        continue
                    unit = 10.0 ** -_published_decimals(duck_values + spark_values)
                    for a, b in zip(duck_values, spark_values, strict=True):
                        if (a is None) != (b is None):
                            result.problems.append(f"{name}: {a} on DuckDB, {b} on Spark")
                        elif a is not None and a != b:
                            if abs(a - b) > unit * 1.000001:
                                result.problems.append(f"{name}: {a} on DuckDB, {b} on Spark")
                            else:
                                result.ratios_off_by_one_unit += 1
            results.append(result)
        return results
