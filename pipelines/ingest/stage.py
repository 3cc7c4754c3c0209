"""Staging a feed's deliveries in the warehouse (the restricted store).

Each complete delivery is parsed in batches of files and committed in one transaction that
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
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from pipelines.feeds import Feed, Table
from pipelines.ingest.discover import Delivery, discover, file_digest, fingerprint
from pipelines.ingest.notices import FileRejected, Notice, joined
from pipelines.ingest.ordered import ordered_map
from pipelines.ingest.parse import parse_sql, raw_values_sql, sql_type
from pipelines.ingest.read import MalformedLine, ReadFile, read_file

BATCH_ROWS = 1_000_000  # rows parsed per statement: few statements, bounded memory

BOOKKEEPING_DDL = """
create schema if not exists raw;
create table if not exists raw.quarantine (
    feed varchar, table_name varchar, delivery_date date, source_file varchar,
    source_row bigint, rule_id varchar, message varchar, raw_values json);
create table if not exists raw.ingest_files (
    feed varchar, delivery_date date, file varchar, rows_read bigint, rows_accepted bigint,
    rows_quarantined bigint, encoding varchar, status varchar, message varchar,
    table_name varchar, message_zh varchar);
alter table raw.ingest_files add column if not exists table_name varchar;
alter table raw.ingest_files add column if not exists message_zh varchar;
create table if not exists raw.deliveries (
    feed varchar, delivery_date date, fingerprint varchar, status varchar,
    processed_at timestamp, primary key (feed, delivery_date));
create table if not exists raw.file_digests (
    path varchar primary key, size bigint, mtime_ns bigint, digest varchar);
"""


@dataclass
class FileRecord:
    """One file's line in raw.ingest_files: rows_read = rows_accepted + rows_quarantined."""

    file: str | None
    table_name: str | None
    status: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    encoding: str | None = None
    notice: Notice | None = None

    def row(self) -> tuple:
        return (self.file, self.table_name, self.rows_read, self.rows_accepted,
                self.rows_quarantined, self.encoding, self.status,
                self.notice.en if self.notice else None, self.notice.zh if self.notice else None)


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
    for table in feed.tables:  # files recorded before table_name existed
        conn.execute(
            "update raw.ingest_files set table_name = ? "
            "where feed = ? and table_name is null and starts_with(file, ?)",
            [table.name, feed.id, table.file_prefix],
        )
    for table in feed.tables:
        columns = ", ".join(f"{c.name} {sql_type(c)}" for c in table.columns)
        conn.execute(
            f"create table if not exists {table.staged_name} ({columns}, "
            "delivery_date date, source_file varchar, source_row bigint)"
        )


def _digests(conn: duckdb.DuckDBPyConnection, delivery: Delivery, workers: int) -> dict[str, str]:
    """Content digests of the delivery's files: cached ones by size and mtime, the others
    hashed on every core (hashlib releases the GIL) and cached."""
    cached = {path: (size, mtime, digest) for path, size, mtime, digest in conn.execute(
        "select path, size, mtime_ns, digest from raw.file_digests where starts_with(path, ?)",
        [f"{delivery.folder}/"]).fetchall()}  # fmt: skip
    stats = {path: path.stat() for path in delivery.files}
    digests, missing = {}, []
    for path, stat in stats.items():
        size, mtime, digest = cached.get(str(path), (None, None, None))
        if (size, mtime) == (stat.st_size, stat.st_mtime_ns):
            digests[path.name] = digest
        else:
            missing.append(path)
    fresh = list(zip(missing, ordered_map(file_digest, missing, workers, 2 * workers), strict=True))
    if fresh:
        conn.executemany(
            "insert or replace into raw.file_digests values (?, ?, ?, ?)",
            [(str(p), stats[p].st_size, stats[p].st_mtime_ns, d) for p, d in fresh],
        )
    digests.update((p.name, d) for p, d in fresh)
    return digests


def _record_files(conn: duckdb.DuckDBPyConnection, delivery: Delivery,
                  records: list[FileRecord], status: str, digest: str | None) -> None:
    """Replace the reconciliation rows and the outcome of one feed delivery."""
    conn.execute("delete from raw.ingest_files where feed = ? and delivery_date = ?",
                 [delivery.feed, delivery.day])
    if records:
        conn.executemany(
            "insert into raw.ingest_files (feed, delivery_date, file, table_name, rows_read, "
            "rows_accepted, rows_quarantined, encoding, status, message, message_zh) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(delivery.feed, delivery.day, *r.row()) for r in records],
        )
    conn.execute(
        "insert or replace into raw.deliveries values (?, ?, ?, ?, current_timestamp)",
        [delivery.feed, delivery.day, digest, status],
    )


def _quarantine_malformed(conn: duckdb.DuckDBPyConnection, feed: Feed, table: Table,
                          delivery: Delivery, file: str, malformed: list[MalformedLine]) -> None:
    """Lines with the wrong number of fields (Q04): their line number and raw text."""
    conn.executemany(
        "insert into raw.quarantine values (?, ?, ?, ?, ?, 'Q04', ?, "
        "json_object('行号', ?::bigint, '原始文本', ?::varchar))",
        [(feed.id, table.name, delivery.day, file, m.source_row,
          f"Q04 第{m.line}行有{m.fields}个字段，表头有{m.expected}个", m.line, m.text)
         for m in malformed],
    )  # fmt: skip


def _stage_batch(conn: duckdb.DuckDBPyConnection, feed: Feed, table: Table,
                 delivery: Delivery, files: list[tuple[Path, ReadFile]]) -> list[FileRecord]:
    """Parse several files of one table into the staged table and the quarantine with one
    set of statements (inside the delivery's transaction); their reconciliation records.

    Per-statement overhead, not rows, dominated when each file had its own statements.

    The text is an Arrow table that the statements read by its Python name (DuckDB's
    replacement scan), not a registered view: a view dropped inside a transaction is kept,
    with the Arrow data it holds, until the transaction commits, so one 10 M-row registry
    delivery held all ten batches' text (7.1 GiB peak; 4.1 GiB now). The parsed rows stay
    a temp table: kept until commit too, but compressed, and materializing them as Arrow
    instead cost more time and memory at 1 M persons than it saved at 10 M."""
    frames = [read.frame.with_columns(source_file=pl.lit(path.name)) for path, read in files]
    source_text = pl.concat(frames).to_arrow()  # noqa: F841 (read by name in the SQL)
    conn.execute(f"create or replace temp table parsed as {parse_sql(table, 'source_text')}")
    names = ", ".join(c.name for c in table.columns)
    conn.execute(
        f"insert into {table.staged_name} select {names}, ?, source_file, source_row "
        "from parsed where len(problems) = 0",
        [delivery.day],
    )
    conn.execute(
        "insert into raw.quarantine select ?, ?, ?, source_file, parsed.source_row, "
        "left(problems[1], 3), array_to_string(problems, '; '), raw.raw_values from parsed "
        f"join ({raw_values_sql(table, 'source_text')}) as raw using (source_file, source_row) "
        "where len(problems) > 0 order by source_file, parsed.source_row",
        [feed.id, table.name, delivery.day],
    )
    counts = {file: (accepted, quarantined) for file, accepted, quarantined in conn.execute(
        "select source_file, count(*) filter (len(problems) = 0), "
        "count(*) filter (len(problems) > 0) from parsed group by source_file").fetchall()}  # fmt: skip
    conn.execute("drop table parsed")
    records = []
    for path, read in files:
        if read.malformed:
            _quarantine_malformed(conn, feed, table, delivery, path.name, read.malformed)
        accepted, quarantined = counts.get(path.name, (0, 0))
        records.append(FileRecord(path.name, table.name, "loaded", read.rows_read, accepted,
                                  quarantined + len(read.malformed), read.encoding,
                                  joined(read.notices)))
    return records


def _clear(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery) -> None:
    for table in feed.tables:
        conn.execute(f"delete from {table.staged_name} where delivery_date = ?", [delivery.day])
    conn.execute("delete from raw.quarantine where feed = ? and delivery_date = ?",
                 [feed.id, delivery.day])


def _unknown_table(feed: Feed, delivery: Delivery, path: Path) -> FileRejected:
    prefixes = " or ".join(f"'{t.file_prefix}*'" for t in feed.tables)
    prefixes_zh = "或".join(f"“{t.file_prefix}”" for t in feed.tables)
    return FileRejected(Notice(
        f"{path.name}: file name must start with {prefixes}",
        f"{delivery.name_of(path)}：文件名须以{prefixes_zh}开头，才能分辨属于哪张表；请改名后重新报送整批数据"))


def _table_name(feed: Feed, path: Path) -> str | None:
    table = feed.table_for(path.name)
    return table.name if table else None


def _read(feed: Feed, delivery: Delivery, path: Path) -> tuple[Path, ReadFile | FileRejected]:
    """One file read for staging, or why it cannot be used (in a worker thread)."""
    table = feed.table_for(path.name)
    try:
        if table is None:
            raise _unknown_table(feed, delivery, path)
        return path, read_file(path, table, feed.formats, name=delivery.name_of(path))
    except FileRejected as error:
        return path, error


def _load(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery, digest: str,
          summary: FeedSummary, workers: int) -> str | None:
    """Stage one complete delivery in a single transaction; returns why it was rejected.

    Files are read ``workers`` at a time and staged in batches of up to BATCH_ROWS rows
    per table, so statements are few and memory stays bounded at province scale.

    A rejected delivery is rolled back whole, then recorded, and its date is cleared so
    that an earlier version of the same date is not used either.
    """
    records: list[FileRecord] = []
    rejection: FileRejected | None = None
    conn.execute("begin transaction")
    _clear(conn, feed, delivery)
    batch: list[tuple[Path, ReadFile]] = []
    table: Table | None = None
    for path, outcome in ordered_map(partial(_read, feed, delivery), delivery.files, workers,
                                     ahead=2 * workers):  # fmt: skip
        if isinstance(outcome, FileRejected):
            rejection = outcome
            records += [FileRecord(p.name, table.name, "read", encoding=read.encoding,
                                   notice=joined(read.notices)) for p, read in batch]
            records.append(FileRecord(path.name, _table_name(feed, path), "rejected",
                                      notice=outcome.notice))
            break
        file_table = feed.table_for(path.name)
        if batch and (file_table is not table or sum(r.rows_read for _, r in batch) >= BATCH_ROWS):
            records += _stage_batch(conn, feed, table, delivery, batch)
            batch = []
        table = file_table
        batch.append((path, outcome))
    if rejection is None and batch:
        records += _stage_batch(conn, feed, table, delivery, batch)
    if rejection is None and not records:
        rejection = FileRejected(Notice(
            f"{delivery.folder.name}: complete (_SUCCESS) but holds no .csv or .xlsx file",
            f"{delivery.name}：有 _SUCCESS 标记，但没有 .csv 或 .xlsx 数据文件；请重新报送整批数据"))
    if rejection is not None:
        conn.execute("rollback")
        problem = f"{delivery.folder}/{rejection}"
        for record in records:  # nothing of a rejected delivery is staged
            record.status, record.rows_read, record.rows_accepted, record.rows_quarantined = \
                "rejected", 0, 0, 0
        done = {r.file for r in records}
        not_read = Notice(f"not read: the delivery was rejected ({delivery.feed}/{delivery.day}/"
                          f"{rejection})", f"未读取：同批文件被拒收（{rejection.notice.zh}）")
        records += [FileRecord(p.name, _table_name(feed, p), "rejected", notice=not_read)
                    for p in delivery.files if p.name not in done]
        conn.execute("begin transaction")
        _clear(conn, feed, delivery)
        _record_files(conn, delivery, records, "rejected", digest)
        conn.execute("commit")
        summary.rejected.append(problem)
        return problem
    _record_files(conn, delivery, records, "loaded", digest)
    conn.execute("commit")
    summary.warnings += [f"{delivery.folder.name}/{r.notice.en}" for r in records if r.notice]
    summary.loaded.append(delivery.day.isoformat())
    summary.rows_read += sum(r.rows_read for r in records)
    summary.rows_accepted += sum(r.rows_accepted for r in records)
    summary.rows_quarantined += sum(r.rows_quarantined for r in records)
    return None


def _record_incomplete(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery) -> None:
    notice = Notice(f"{delivery.name}: no _SUCCESS yet (still being written); "
                    "it is loaded on the first run after it is complete",
                    f"{delivery.name}：尚无 _SUCCESS 标记（可能仍在写入），本次未读取；"
                    "标记出现后的第一次运行会自动入库")  # fmt: skip
    files = delivery.files
    records = [FileRecord(p.name, _table_name(feed, p), "skipped_incomplete", notice=notice)
               for p in files] or [FileRecord(None, None, "skipped_incomplete", notice=notice)]
    conn.execute("begin transaction")
    _record_files(conn, delivery, records, "skipped_incomplete", None)
    conn.execute("commit")


def ingest_feed(conn: duckdb.DuckDBPyConnection, raw_dir: Path, feed: Feed,
                log: Callable[[str], None] = print) -> FeedSummary:
    """Bring the warehouse up to date with every delivery of ``feed`` under ``raw_dir``."""
    ensure_tables(conn, feed)
    workers = int(conn.execute("select current_setting('threads')").fetchall()[0][0])
    summary = FeedSummary(feed.id)
    deliveries, summary.warnings = discover(raw_dir, feed.id)
    for delivery in deliveries:
        if not delivery.complete:
            _record_incomplete(conn, feed, delivery)
            summary.incomplete.append(delivery.day.isoformat())
            log(f"{feed.id} {delivery.day}: skipped, incomplete (no _SUCCESS)")
            continue
        digest = fingerprint(_digests(conn, delivery, workers))
        known = conn.execute(
            "select fingerprint from raw.deliveries where feed = ? and delivery_date = ?",
            [feed.id, delivery.day],
        ).fetchone()
        if known and known[0] == digest:
            summary.unchanged.append(delivery.day.isoformat())
            continue
        problem = _load(conn, feed, delivery, digest, summary, workers)
        action = "reloaded (corrected re-delivery)" if known else "loaded"
        log(f"{feed.id} {delivery.day}: REJECTED: {problem}" if problem
            else f"{feed.id} {delivery.day}: {action} {len(delivery.files)} file(s)")
    return summary
