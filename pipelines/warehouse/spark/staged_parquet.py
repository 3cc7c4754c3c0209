"""The staged feeds as Parquet files, one immutable file per table and delivery, for Spark.

The ingest stays the one generic path into the DuckDB store (schema ``raw``); a Spark build
reads what it staged from files, since Spark cannot open a DuckDB database:

    <staged>/<table>/<delivery_date>.parquet     every staged delivery of a feed table
    <staged>/<table>/empty.parquet               no rows: the table's columns, for a table
                                                 with no delivery yet
    <staged>/<table>/_exported.json              delivery_date -> the fingerprint written
    <staged>/<bookkeeping>/all.parquet           raw.ingest_files, raw.deliveries,
                                                 raw.pseudonym_keys (small)

A delivery's file is written once and rewritten only when its fingerprint changes (a
corrected re-delivery); a delivery no longer staged (rejected on re-delivery) loses its
file. Each file is written under a hidden name and renamed into place, and Spark skips
names that start with ``.`` or ``_``, so a reader never sees half a file. A night with
nothing new writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.core.restricted import private_folder
from pipelines.core.sql_literal import sql_text
from pipelines.core.state import SPARK_EXPORTED, read_stamp, write_stamp
from pipelines.feeds import FEEDS

BOOKKEEPING_TABLES = ("ingest_files", "deliveries", "pseudonym_keys")


@dataclass
class ExportSummary:
    written: list[str] = field(default_factory=list)  # "<table>/<delivery_date>"
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _copy(conn: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    hidden = target.with_name(f".{target.name}")
    conn.execute(f"copy ({query}) to {sql_text(str(hidden))} (format parquet)")
    hidden.replace(target)


def _delivery_fingerprints(conn: duckdb.DuckDBPyConnection, feed: str,
                           staged_table: str) -> dict[str, str]:
    """delivery_date -> fingerprint of the deliveries that have rows staged in the table."""
    rows = conn.execute(
        f"select cast(staged.delivery_date as varchar), deliveries.fingerprint "
        f"from (select distinct delivery_date from {staged_table}) as staged "
        f"join raw.deliveries as deliveries "
        f"on deliveries.feed = ? and deliveries.delivery_date = staged.delivery_date",
        [feed],
    ).fetchall()
    return dict(rows)


def export_staged(conn: duckdb.DuckDBPyConnection, staged_dir: Path,
                  log: Callable[[str], None] = lambda _: None) -> ExportSummary:
    """Bring ``staged_dir`` up to date with the store's schema ``raw`` (see the module).
    The files hold ID numbers: the folder, and any missing parent, is created owner-only."""
    private_folder(staged_dir)
    summary = ExportSummary()
    for feed in FEEDS.values():
        for table in feed.tables:
            folder = staged_dir / table.name
            folder.mkdir(parents=True, exist_ok=True)
            ledger = folder / SPARK_EXPORTED
            exported: dict[str, str] = read_stamp(ledger) or {}
            if not (folder / "empty.parquet").exists():
                _copy(conn, f"select * from {table.staged_name} limit 0", folder / "empty.parquet")
            staged = _delivery_fingerprints(conn, feed.id, table.staged_name)
            for delivery_date, fingerprint in sorted(staged.items()):
                if exported.get(delivery_date) == fingerprint:
                    summary.unchanged += 1
                    continue
                _copy(conn, f"select * from {table.staged_name} "
                            f"where delivery_date = date {sql_text(delivery_date)}",
                      folder / f"{delivery_date}.parquet")
                exported[delivery_date] = fingerprint
                summary.written.append(f"{table.name}/{delivery_date}")
            for delivery_date in sorted(set(exported) - set(staged)):
                (folder / f"{delivery_date}.parquet").unlink(missing_ok=True)
                del exported[delivery_date]
                summary.removed.append(f"{table.name}/{delivery_date}")
            write_stamp(ledger, exported)
    for name in BOOKKEEPING_TABLES:
        folder = staged_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        _copy(conn, f"select * from raw.{name}", folder / "all.parquet")
    if summary.written or summary.removed:
        log(f"staged Parquet: {len(summary.written)} delivery files written, "
            f"{len(summary.removed)} removed, {summary.unchanged} unchanged")
    return summary
