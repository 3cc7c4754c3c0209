"""Staging a feed's deliveries in the warehouse (the restricted store).

Each complete delivery is parsed file by file and committed in one transaction that
replaces whatever the warehouse held for that feed and date: a corrected re-delivery
replaces the old one, and an identical one (same fingerprint) is skipped untouched.
Tables written, all in schema ``raw``:

- one table per contract table (typed columns + delivery_date, source_file, source_row);
- ``quarantine``: unusable rows with the failed rule, a message and the raw values;
- ``ingest_files``: per feed, delivery and file the counts behind `ingest_reconciliation`
  (rows_read = rows_accepted + rows_quarantined, always);
- ``deliveries``: per feed and date the fingerprint and outcome of the last attempt;
- ``file_digests``: content digests cached by size and mtime, so unchanged files are not
  re-hashed every night.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.feeds import Feed, Table
from pipelines.ingest.discover import Delivery, discover, file_digest, fingerprint
from pipelines.ingest.parse import parse_sql, raw_values_sql, sql_type
from pipelines.ingest.read import FileRejected, read_file

BOOKKEEPING_DDL = """
create schema if not exists raw;
create table if not exists raw.quarantine (
    feed varchar, table_name varchar, delivery_date date, source_file varchar,
    source_row bigint, rule_id varchar, message varchar, raw_values json);
create table if not exists raw.ingest_files (
    feed varchar, delivery_date date, file varchar, rows_read bigint, rows_accepted bigint,
    rows_quarantined bigint, encoding varchar, status varchar, message varchar);
create table if not exists raw.deliveries (
    feed varchar, delivery_date date, fingerprint varchar, status varchar,
    processed_at timestamp, primary key (feed, delivery_date));
create table if not exists raw.file_digests (
    path varchar primary key, size bigint, mtime_ns bigint, digest varchar);
"""


@dataclass
class FeedSummary:
    """What one ingest of a feed did, for logs and Dagster metadata."""

    feed: str
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    warnings: list[str] = field(default_factory=list)


def ensure_tables(conn: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    conn.execute(BOOKKEEPING_DDL)
    for table in feed.tables:
        columns = ", ".join(f"{c.name} {sql_type(c)}" for c in table.columns)
        conn.execute(
            f"create table if not exists {table.staged_name} ({columns}, "
            "delivery_date date, source_file varchar, source_row bigint)"
        )


def _digests(conn: duckdb.DuckDBPyConnection, files: list[Path]) -> dict[str, str]:
    digests = {}
    for path in files:
        stat = path.stat()
        cached = conn.execute(
            "select digest from raw.file_digests where path = ? and size = ? and mtime_ns = ?",
            [str(path), stat.st_size, stat.st_mtime_ns],
        ).fetchone()
        digest = cached[0] if cached else file_digest(path)
        if not cached:
            conn.execute(
                "insert or replace into raw.file_digests values (?, ?, ?, ?)",
                [str(path), stat.st_size, stat.st_mtime_ns, digest],
            )
        digests[path.name] = digest
    return digests


def _record_files(conn: duckdb.DuckDBPyConnection, delivery: Delivery, rows: list[tuple],
                  status: str, digest: str | None) -> None:
    """Replace the reconciliation rows and the outcome of one feed delivery."""
    conn.execute("delete from raw.ingest_files where feed = ? and delivery_date = ?",
                 [delivery.feed, delivery.day])
    if rows:
        conn.executemany(
            "insert into raw.ingest_files values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(delivery.feed, delivery.day, *row) for row in rows],
        )
    conn.execute(
        "insert or replace into raw.deliveries values (?, ?, ?, ?, current_timestamp)",
        [delivery.feed, delivery.day, digest, status],
    )


def _stage_file(conn: duckdb.DuckDBPyConnection, feed: Feed, table: Table, path: Path,
                delivery: Delivery) -> tuple[tuple, list[str]]:
    """Parse one file into the staged table and the quarantine (inside the delivery's
    transaction); returns its reconciliation row and warnings."""
    read = read_file(path, table, feed.formats)
    conn.register("source_text", read.frame.to_arrow())
    conn.execute(f"create or replace temp table parsed as {parse_sql(table, 'source_text')}")
    names = ", ".join(c.name for c in table.columns)
    conn.execute(
        f"insert into {table.staged_name} select {names}, ?, ?, source_row "
        "from parsed where len(problems) = 0",
        [delivery.day, path.name],
    )
    conn.execute(
        "insert into raw.quarantine select ?, ?, ?, ?, parsed.source_row, left(problems[1], 3), "
        "array_to_string(problems, '; '), raw.raw_values from parsed "
        f"join ({raw_values_sql(table, 'source_text')}) as raw using (source_row) "
        "where len(problems) > 0 order by parsed.source_row",
        [feed.id, table.name, delivery.day, path.name],
    )
    accepted, quarantined = conn.execute(
        "select count(*) filter (len(problems) = 0), count(*) filter (len(problems) > 0) "
        "from parsed"
    ).fetchone()
    conn.execute("drop table parsed")
    conn.unregister("source_text")
    message = "; ".join(read.warnings) or None
    row = (path.name, read.frame.height, accepted, quarantined, read.encoding, "loaded", message)
    return row, read.warnings


def _clear(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery) -> None:
    for table in feed.tables:
        conn.execute(f"delete from {table.staged_name} where delivery_date = ?", [delivery.day])
    conn.execute("delete from raw.quarantine where feed = ? and delivery_date = ?",
                 [feed.id, delivery.day])


def _load(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery, digest: str,
          summary: FeedSummary) -> str | None:
    """Stage one complete delivery in a single transaction; returns why it was rejected.

    A rejected delivery is rolled back whole, then recorded, and its date is cleared so
    that an earlier version of the same date is not used either.
    """
    rows, warnings, problem = [], [], None
    conn.execute("begin transaction")
    _clear(conn, feed, delivery)
    for path in delivery.files:
        table = feed.table_for(path.name)
        try:
            if table is None:
                prefixes = " or ".join(f"'{t.file_prefix}*'" for t in feed.tables)
                raise FileRejected(f"{path.name}: file name must start with {prefixes}")
            row, file_warnings = _stage_file(conn, feed, table, path, delivery)
        except FileRejected as error:
            problem = f"{delivery.folder}/{error}"
            rows.append((path.name, 0, 0, 0, None, "rejected", str(error)))
            break
        rows.append(row)
        warnings += [f"{delivery.folder.name}/{w}" for w in file_warnings]
    if problem is None and not rows:
        problem = f"{delivery.folder}: complete (_SUCCESS) but holds no .csv or .xlsx file"
    if problem is not None:
        conn.execute("rollback")
        done = {r[0] for r in rows}
        rows = [(n, 0, 0, 0, e, "rejected", m) for n, _, _, _, e, _, m in rows] + [
            (p.name, 0, 0, 0, None, "rejected", f"not read: the delivery was rejected ({problem})")
            for p in delivery.files if p.name not in done
        ]  # fmt: skip
        conn.execute("begin transaction")
        _clear(conn, feed, delivery)
        _record_files(conn, delivery, rows, "rejected", digest)
        conn.execute("commit")
        summary.rejected.append(problem)
        return problem
    _record_files(conn, delivery, rows, "loaded", digest)
    conn.execute("commit")
    summary.warnings += warnings
    summary.loaded.append(delivery.day.isoformat())
    summary.rows_read += sum(r[1] for r in rows)
    summary.rows_accepted += sum(r[2] for r in rows)
    summary.rows_quarantined += sum(r[3] for r in rows)
    return None


def ingest_feed(conn: duckdb.DuckDBPyConnection, raw_dir: Path, feed: Feed,
                log: Callable[[str], None] = print) -> FeedSummary:
    """Bring the warehouse up to date with every delivery of ``feed`` under ``raw_dir``."""
    ensure_tables(conn, feed)
    summary = FeedSummary(feed.id)
    deliveries, summary.warnings = discover(raw_dir, feed.id)
    for delivery in deliveries:
        if not delivery.complete:
            files = delivery.files or [None]
            rows = [(p.name if p else None, 0, 0, 0, None, "skipped_incomplete",
                     f"{delivery.folder}: no _SUCCESS yet (still being written); "
                     "it is loaded on the first run after it is complete") for p in files]  # fmt: skip
            conn.execute("begin transaction")
            _record_files(conn, delivery, rows, "skipped_incomplete", None)
            conn.execute("commit")
            summary.incomplete.append(delivery.day.isoformat())
            log(f"{feed.id} {delivery.day}: skipped, incomplete (no _SUCCESS)")
            continue
        digest = fingerprint(_digests(conn, delivery.files))
        known = conn.execute(
            "select fingerprint from raw.deliveries where feed = ? and delivery_date = ?",
            [feed.id, delivery.day],
        ).fetchone()
        if known and known[0] == digest:
            summary.unchanged.append(delivery.day.isoformat())
            continue
        problem = _load(conn, feed, delivery, digest, summary)
        action = "reloaded (corrected re-delivery)" if known else "loaded"
        log(f"{feed.id} {delivery.day}: REJECTED: {problem}" if problem
            else f"{feed.id} {delivery.day}: {action} {len(delivery.files)} file(s)")
    return summary
