"""The report's table of problem files: files not loaded and loaded files with something
to check (a header-only export), each with its Chinese text, in Chinese."""

from datetime import date

import duckdb

from pipelines.reports.delivery_problems import PROBLEM_FILES, in_chinese
from pipelines.reports.html import html_table

HEADER_ONLY = "registry/2020-12-31/r.csv：只有表头、没有数据行（多半是导出失败）；请与报送部门核实"


def test_a_header_only_file_is_listed_after_the_files_not_loaded():
    with duckdb.connect() as conn:
        conn.execute("create schema marts")
        conn.execute("""create table marts.ingest_reconciliation as select * from (values
            ('registry', date '2020-12-31', 'r.csv', 'loaded', 'header only', ?),
            ('registry', date '2020-12-31', 'ok.csv', 'loaded', null, null),
            ('dibao', date '2020-06-30', 'd.csv', 'rejected', 'missing', '缺少必填列'))
            as t(feed, delivery_date, file, status, message, message_zh)""", [HEADER_ONLY])
        rows = in_chinese(conn.execute(PROBLEM_FILES).fetchall())
    assert rows == [["低保", date(2020, 6, 30), "d.csv", "已拒收", "缺少必填列"],
                    ["建档立卡", date(2020, 12, 31), "r.csv", "已入库（有提示）", HEADER_ONLY]]
    assert HEADER_ONLY in html_table("problem-files", ["文件"], rows)
