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
- ``file_digests``: content digests cached by inode, size, mtime and ctime, so unchanged
  files are not re-hashed every night. "Unchanged" is decided by the digest of the bytes;
  the stat is only the hint of when to hash again, and ctime is in it because a copy that
  keeps the size and the modification time (``cp -p``, ``rsync -a``, unzipping a quick
  re-export) cannot keep the ctime.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.ingest_limits import DEFAULT_LIMITS, IngestLimits
from pipelines.core.pseudonym import KEYS_DDL
from pipelines.feeds import Feed, Table
from pipelines.ingest.discover import Delivery, discover, file_digest, fingerprint
from pipelines.ingest.notices import REDELIVER_ZH, FileRejected, Notice, joined
from pipelines.ingest.ordered import ordered_map
from pipelines.ingest.parse import parse_sql, raw_values_sql, sql_type
from pipelines.ingest.read import MalformedLine, ReadFile, read_file
from pipelines.ingest.refusals import not_due, outside_link

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
create table if not exists raw.deliveries (
    feed varchar, delivery_date date, fingerprint varchar, status varchar,
    processed_at timestamp, primary key (feed, delivery_date));
create table if not exists raw.file_digests (
    path varchar primary key, size bigint, mtime_ns bigint, digest varchar, inode bigint,
    ctime_ns bigint);
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
    """The bookkeeping and the feed's staged tables. A store made before the contract gained
    an optional column gets it, empty for the deliveries already staged (they did not carry
    it, and the contract says what an empty value means); a missing mandatory column is
    left for the blocking contract check to name."""
    conn.execute(BOOKKEEPING_DDL)
    conn.execute(KEYS_DDL)  # a source of the dbt project with the ingest's bookkeeping
    for table in feed.tables:
        columns = ", ".join(f"{c.name} {sql_type(c)}" for c in table.columns)
        conn.execute(
            f"create table if not exists {table.staged_name} ({columns}, "
            "delivery_date date, source_file varchar, source_row bigint)"
        )
        for column in table.columns:
            if not column.mandatory:
                conn.execute(f"alter table {table.staged_name} add column if not exists "
                             f"{column.name} {sql_type(column)}")


def _stat_hint(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What says a file may have changed: any of inode, size, mtime and ctime."""
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def _digests(conn: duckdb.DuckDBPyConnection, delivery: Delivery, workers: int) -> dict[str, str]:
    """Content digests of the delivery's files: cached ones while their stat hint is the
    same, the others hashed on every core (hashlib releases the GIL) and cached."""
    cached = {path: ((inode, size, mtime, ctime), digest)
              for path, inode, size, mtime, ctime, digest in conn.execute(
        "select path, inode, size, mtime_ns, ctime_ns, digest from raw.file_digests "
        "where starts_with(path, ?)", [f"{delivery.folder}/"]).fetchall()}  # fmt: skip
    hints = {path: _stat_hint(path.stat()) for path in delivery.files}
    digests, missing = {}, []
    for path, hint in hints.items():
        cached_hint, digest = cached.get(str(path), (None, None))
        if cached_hint == hint:
            digests[path.name] = digest
        else:
            missing.append(path)
    fresh = list(zip(missing, ordered_map(file_digest, missing, workers, 2 * workers), strict=True))
    if fresh:
        conn.executemany(
            "insert or replace into raw.file_digests (path, inode, size, mtime_ns, ctime_ns, "
            "digest) values (?, ?, ?, ?, ?, ?)",
            [(str(p), *hints[p], d) for p, d in fresh],
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
                          delivery: Delivery, file: str, read: ReadFile) -> None:
    """Lines that are not rows (Q04: the wrong number of fields; Q06: undecodable bytes):
    their line number and raw text (Q06: its bytes shown escaped)."""
    def message(m: MalformedLine) -> str:
        if m.rule == "Q06":
            return f"Q06 第{m.line}行含有无法按 {read.encoding} 解码的字节"
        return f"Q04 第{m.line}行有{m.fields}个字段，表头有{m.expected}个"

    conn.executemany(
        "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, ?, "
        "json_object('行号', ?::bigint, '原始文本', ?::varchar))",
        [(feed.id, table.name, delivery.day, file, m.source_row, m.rule, message(m), m.line,
          m.text) for m in read.malformed],
    )  # fmt: skip


def _stage_batch(conn: duckdb.DuckDBPyConnection, feed: Feed, table: Table,
                 delivery: Delivery, files: list[tuple[Path, ReadFile]]) -> list[FileRecord]:
    """Parse several files of one table into the staged table and the quarantine with one
    set of statements (inside the delivery's transaction); their reconciliation records.

    Per-statement overhead, not rows, dominated when each file had its own statements.

    The text is an Arrow table that the statements read by its Python name (DuckDB's
    replacement scan), not a registered view: a view dropped inside a transaction is kept,
    with the Arrow data it holds, until the transaction commits, so a delivery of ten
    batches would hold all ten batches' text at once. The parsed rows stay a temp table:
    kept until commit too, but compressed; materializing them as Arrow instead costs more
    time and memory than it saves."""
    frames = [read.frame.with_columns(source_file=pl.lit(path.name)) for path, read in files]
    source_text = pl.concat(frames).to_arrow()  # noqa: F841 (read by name in the SQL)
    conn.execute(f"create or replace temp table parsed as {parse_sql(table, 'source_text')}")
    names = ", ".join(c.name for c in table.columns)
    conn.execute(
        f"insert into {table.staged_name} ({names}, delivery_date, source_file, source_row) "
        f"select {names}, ?, source_file, source_row "
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
            _quarantine_malformed(conn, feed, table, delivery, path.name, read)
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


def _read(feed: Feed, delivery: Delivery, limits: IngestLimits,
          path: Path) -> tuple[Path, ReadFile | FileRejected]:
    """One file read for staging, or why it cannot be used (in a worker thread)."""
    table = feed.table_for(path.name)
    try:
        if table is None:
            raise _unknown_table(feed, delivery, path)
        return path, read_file(path, table, feed.formats, name=delivery.name_of(path),
                               max_unzipped_bytes=limits.max_unzipped_bytes)
    except FileRejected as error:
        return path, error


# The quarantine rules as the reasons a file is a broken export: English, Chinese
QUARANTINE_REASONS = {"Q01": ("empty", "为空"), "Q02": ("cannot be parsed", "无法解析"),
                      "Q03": ("outside its code list", "不在代码表内"),
                      "Q04": ("another number of fields than the header", "字段数与表头不符"),
                      "Q06": ("undecodable bytes", "含无法解码的字节")}  # fmt: skip
COMMONEST_REASONS = """
    select coalesce(nullif(regexp_extract(message, '^Q0[1-3] ([^(]+\\([a-z_0-9]+\\))', 1), ''),
                    rule_id) as reason, rule_id, count(*) as n
    from raw.quarantine
    where feed = ? and delivery_date = ? and source_file = ?
    group by all order by n desc, reason limit 3
"""


def _broken_export(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery,
                   record: FileRecord, limits: IngestLimits) -> FileRejected | None:
    """A file of which fewer than ``limits.min_usable_share`` of the rows were accepted: a
    broken export (feeds.md, "Bad input"), which rejects its delivery so that it never
    replaces a good snapshot. Named by the commonest reasons its rows were quarantined."""
    if not record.rows_read or record.rows_accepted >= limits.min_usable_share * record.rows_read:
        return None
    reasons = conn.execute(COMMONEST_REASONS, [feed.id, delivery.day, record.file]).fetchall()
    named = [(f"{rule} {reason} " if reason != rule else f"{rule} ", rule, n)
             for reason, rule, n in reasons]
    en = "; ".join(f"{what}{QUARANTINE_REASONS[rule][0]} in {n:,} rows" for what, rule, n in named)
    zh = "；".join(f"{what}{QUARANTINE_REASONS[rule][1]} {n:,} 行" for what, rule, n in named)
    share = f"{limits.min_usable_share:.0%}"
    name = delivery.name_of(Path(record.file))
    return FileRejected(Notice(
        f"{record.file}: {record.rows_accepted:,} of {record.rows_read:,} rows usable (fewer "
        f"than {share}): a broken export, not a partial delivery, so the delivery is rejected "
        f"and the earlier snapshot stands; commonest reasons: {en}",
        f"{name}：{record.rows_read:,} 行中只有 {record.rows_accepted:,} 行可用（不足 {share}），"
        f"应是导出出错而非部分报送，整批数据已拒收，沿用此前的数据；主要原因：{zh}；{REDELIVER_ZH}"))


def _load(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery, digest: str,
          summary: FeedSummary, workers: int, limits: IngestLimits) -> str | None:
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

    def stage() -> FileRejected | None:
        staged = _stage_batch(conn, feed, table, delivery, batch)
        records.extend(staged)
        for record in staged:
            if broken := _broken_export(conn, feed, delivery, record, limits):
                record.notice = broken.notice
                return broken
        return None

    read_one = partial(_read, feed, delivery, limits)
    for path, outcome in ordered_map(read_one, delivery.files, workers, ahead=2 * workers):
        if isinstance(outcome, FileRejected):
            rejection = outcome
            records += [FileRecord(p.name, table.name, "read", encoding=read.encoding,
                                   notice=joined(read.notices)) for p, read in batch]
            records.append(FileRecord(path.name, _table_name(feed, path), "rejected",
                                      notice=outcome.notice))
            break
        file_table = feed.table_for(path.name)
        if batch and (file_table is not table or sum(r.rows_read for _, r in batch) >= BATCH_ROWS):
            if rejection := stage():
                break
            batch = []
        table = file_table
        batch.append((path, outcome))
    else:
        if batch:
            rejection = stage()
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
        not_read = _not_read(Notice(f"{delivery.feed}/{delivery.day}/{rejection}",
                                    rejection.notice.zh))
        records += [FileRecord(p.name, _table_name(feed, p), "rejected", notice=not_read)
                    for p in delivery.files if p.name not in done]
        conn.execute("begin transaction")
        _clear(conn, feed, delivery)
        _record_files(conn, delivery, records, "rejected", rejected_fingerprint(digest, limits))
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


def _not_read(why: Notice) -> Notice:
    """What the other files of a rejected delivery say: not read, and why."""
    return Notice(f"not read: the delivery was rejected ({why.en})", f"未读取：同批文件被拒收（{why.zh}）")


def rejected_fingerprint(digest: str, limits: IngestLimits) -> str:
    """The fingerprint a rejected delivery is recorded with: its files' and the limits it
    was judged by, so the same bytes are judged again when a limit changes."""
    return hashlib.sha256(f"{digest}\0{limits!r}".encode()).hexdigest()


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


def _record_refused(conn: duckdb.DuckDBPyConnection, feed: Feed, delivery: Delivery,
                    link: Path | None, notice: Notice) -> None:
    """A delivery refused before any of it is read (ingest/refusals.py): whatever the
    warehouse held of its date is cleared and its files are listed with why. A folder that
    is a link lists nothing of what it points at; a file that is one has its own notice."""
    if link == delivery.folder:
        records = [FileRecord(None, None, "rejected", notice=notice)]
    else:
        not_read = _not_read(notice)
        records = [FileRecord(p.name, _table_name(feed, p), "rejected",
                              notice=notice if link in (None, p) else not_read)
                   for p in delivery.files] or [FileRecord(None, None, "rejected", notice=notice)]
    conn.execute("begin transaction")
    _clear(conn, feed, delivery)
    _record_files(conn, delivery, records, "rejected", None)
    conn.execute("commit")


def ingest_feed(conn: duckdb.DuckDBPyConnection, raw_dir: Path, feed: Feed,
                log: Callable[[str], None] = print, night: date | None = None,
                limits: IngestLimits = DEFAULT_LIMITS) -> FeedSummary:
    """Bring the warehouse up to date with every delivery of ``feed`` under ``raw_dir``
    that is due on ``night`` (default: every delivery, whatever its date)."""
    ensure_tables(conn, feed)
    workers = int(conn.execute("select current_setting('threads')").fetchall()[0][0])
    summary = FeedSummary(feed.id)
    deliveries, summary.warnings = discover(raw_dir, feed.id)
    for delivery in deliveries:
        link = outside_link(delivery, raw_dir)
        if link is None and not delivery.complete:
            _record_incomplete(conn, feed, delivery)
            summary.incomplete.append(delivery.day.isoformat())
            log(f"{feed.id} {delivery.day}: skipped, incomplete (no _SUCCESS)")
            continue
        refusal = link or (
            (None, notice) if night and (notice := not_due(delivery, night)) else None)
        if refusal:
            _record_refused(conn, feed, delivery, *refusal)
            summary.rejected.append(refusal[1].en)
            log(f"{feed.id} {delivery.day}: REFUSED: {refusal[1].en}")
            continue
        digest = fingerprint(_digests(conn, delivery, workers))
        known = conn.execute(
            "select fingerprint, status from raw.deliveries where feed = ? and delivery_date = ?",
            [feed.id, delivery.day],
        ).fetchone()
        if known and known[0] == (rejected_fingerprint(digest, limits) if known[1] == "rejected"
                                  else digest):
            summary.unchanged.append(delivery.day.isoformat())
            continue
        problem = _load(conn, feed, delivery, digest, summary, workers, limits)
        action = "reloaded (corrected re-delivery)" if known else "loaded"
        log(f"{feed.id} {delivery.day}: REJECTED: {problem}" if problem
            else f"{feed.id} {delivery.day}: {action} {len(delivery.files)} file(s)")
    return summary
