"""The files a night's readers must know about: not loaded (rejected, incomplete), or
loaded with something to check (header only, Q04 lines, extra or missing columns), each
with its Chinese text naming the file relative to data/raw/ and the remedy. Shown in the
quality report and in every county's worklist workbook (files carry no county until they
are read, so each steward sees the province's list)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.core.labels import labels
from pipelines.ingest.discover import unread_folders

FEED_ZH = labels("feed")
STATUS_ZH = {**labels("status"), "loaded": "已入库（有提示）"}  # a loaded file listed has a notice
UNREAD_ZH = "不是数据源（未读取）"
HEADERS_ZH = ["数据源", "报送日期", "文件", "状态", "原因与处理办法"]
PROBLEM_FILES = """
    select feed, delivery_date, file, status, message_zh
    from marts.ingest_reconciliation
    where status <> 'loaded' or message_zh is not null
    order by status = 'loaded', feed, delivery_date, file
"""


def problem_files(conn: duckdb.DuckDBPyConnection, raw_dir: Path | None) -> list[list[object]]:
    """The problem-file table: the files of PROBLEM_FILES, then what in the deliveries
    folder is no feed's folder (read by no one)."""
    unread = [[None, None, name, UNREAD_ZH, notice.zh]
              for name, notice in (unread_folders(raw_dir) if raw_dir else [])]
    return in_chinese(conn.execute(PROBLEM_FILES).fetchall()) + unread


def in_chinese(rows: list[tuple]) -> list[list[object]]:
    """PROBLEM_FILES rows with the feed and status named in Chinese."""
    return [[FEED_ZH.get(feed, feed), day, file, STATUS_ZH.get(status, status), text]
            for feed, day, file, status, text in rows]
