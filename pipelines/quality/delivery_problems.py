"""The files a night's readers must know about: not loaded (rejected, incomplete), or
loaded with something to check (header only, Q04 lines, extra or missing columns), each
with its Chinese text naming the file relative to data/raw/ and the remedy. Shown in the
quality report and in every county's worklist workbook (files carry no county until they
are read, so each steward sees the province's list)."""

from __future__ import annotations

FEED_ZH = {"registry": "建档立卡", "dibao": "低保", "medical": "医保", "education": "教育",
           "funds": "资金", "population": "人口", "standards": "标准"}  # fmt: skip
STATUS_ZH = {"loaded": "已入库（有提示）", "rejected": "已拒收", "skipped_incomplete": "未完成（跳过）"}
HEADERS_ZH = ["数据源", "报送日期", "文件", "状态", "原因与处理办法"]
PROBLEM_FILES = """
    select feed, delivery_date, file, status, message_zh
    from marts.ingest_reconciliation
    where status <> 'loaded' or message_zh is not null
    order by status = 'loaded', feed, delivery_date, file
"""


def in_chinese(rows: list[tuple]) -> list[list[object]]:
    """PROBLEM_FILES rows with the feed and status named in Chinese."""
    return [[FEED_ZH.get(feed, feed), day, file, STATUS_ZH.get(status, status), text]
            for feed, day, file, status, text in rows]
