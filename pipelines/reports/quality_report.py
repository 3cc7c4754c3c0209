"""The night's quality report: one self-contained HTML page for statisticians and data
stewards, written to ``<marts>/quality/index.html`` and a dated copy
``<marts>/quality/<night>.html``.

It holds counts only (no ID number, no name, no person_key): ingest reconciliation, flags
by rule, feed and county, the trend over previous nights, the worst counties, and links to
the validation results (Great Expectations), the dbt docs and the counties' (restricted)
worklists.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb

from pipelines.core.labels import labels
from pipelines.reports.charts import (
    ERROR_COLOUR,
    NEUTRAL_COLOUR,
    RESOLVED_COLOUR,
    WARNING_COLOUR,
    bar_chart,
    line_chart,
)
from pipelines.reports.delivery_problems import FEED_ZH, HEADERS_ZH, problem_files
from pipelines.reports.html import Markup, Table, html_table, link, page, query_table, write_pages
from pipelines.reports.worklists import Worklist

REPORT_FOLDER = "quality"
TREND_NIGHTS = 60
WORST_COUNTIES = 10
SEVERITY_ZH = labels("severity")


def gather(conn: duckdb.DuckDBPyConnection, night: date, raw_dir: Path | None) -> dict[str, Table]:
    """Everything the page shows, from the marts of the warehouse (read-only)."""
    tally = """sum(checked_records) as checked, sum(flagged_records) as flagged,
        round(100.0 * sum(flagged_records) / nullif(sum(checked_records), 0), 2) as rate,
        sum(new_flags) as new, sum(resolved_flags) as resolved, sum(still_open_flags) as still_open"""
    return {
        "rules": query_table(conn, f"""
            select rule_id, severity, rule_title, {tally}
            from marts.quality_summary where run_date = ? group by all order by rule_id""", [night]),
        "feeds": query_table(conn, f"""
            select feed, {tally}
            from marts.quality_summary where run_date = ? group by all order by flagged desc""",
                        [night]),
        "counties": query_table(conn, """
            select county_code, coalesce(county_name, '（区划未知）') as county_name,
                sum(flagged_records) filter (where severity = 'error') as errors,
                sum(flagged_records) filter (where severity = 'warning') as warnings,
                sum(new_flags) as new, sum(resolved_flags) as resolved
            from marts.quality_summary where run_date = ?
            group by all order by errors desc, warnings desc, county_code""", [night]),
        "trend": query_table(conn, f"""
            select run_date,
                sum(flagged_records) filter (where severity = 'error') as errors,
                sum(flagged_records) filter (where severity = 'warning') as warnings,
                sum(new_flags) as new, sum(resolved_flags) as resolved
            from marts.quality_summary where run_date <= ?
            group by run_date order by run_date desc limit {TREND_NIGHTS}""", [night]),
        "ingest": query_table(conn, """
            select feed, count(distinct delivery_date) as deliveries, count(*) as files,
                sum(rows_read) as rows_read, sum(rows_accepted) as rows_accepted,
                sum(rows_quarantined) as rows_quarantined,
                count(*) filter (where status = 'rejected') as rejected_files,
                count(*) filter (where status = 'skipped_incomplete') as incomplete_files,
                bool_and(rows_read = rows_accepted + rows_quarantined) as adds_up
            from marts.ingest_reconciliation group by feed order by feed"""),
        "problem_files": Table(HEADERS_ZH, problem_files(conn, raw_dir)),
        "key_restart": query_table(conn, """
            select coalesce(bool_or(flag_continuity_restarted), false)
            from marts.quality_summary where run_date = ?""", [night]),
    }


def render(data: dict[str, Table], night: date, worklists: list[Worklist], report_dir: Path,
           demo: bool) -> str:
    rules, counties, trend = data["rules"].rows, data["counties"].rows, data["trend"].rows[::-1]
    errors = sum(r[4] for r in rules if r[1] == "error")
    warnings = sum(r[4] for r in rules if r[1] == "warning")
    new, resolved = sum(r[6] for r in rules), sum(r[7] for r in rules)
    by_county = {w.county_code: w for w in worklists}

    def worklist_links(code: str) -> Markup:
        w = by_county.get(code)
        if w is None:
            return Markup("—")
        split = (f"（{w.flags:,} 行超过一个工作表的容量，XLSX 分为 {w.sheets} 个工作表；CSV 为完整清单）"
                 if w.sheets > 1 else "")
        return Markup(link(os.path.relpath(w.xlsx, report_dir), "XLSX") + " · "
                      + link(os.path.relpath(w.csv, report_dir), "CSV") + split)  # fmt: skip

    rule_bars = [(f"{r[0]} {r[2]}", int(r[4]), ERROR_COLOUR if r[1] == "error" else WARNING_COLOUR)
                 for r in rules]  # fmt: skip
    feed_bars = [(FEED_ZH.get(f[0], f[0]), int(f[2]), NEUTRAL_COLOUR) for f in data["feeds"].rows]
    worst = counties[:WORST_COUNTIES]
    county_bars = [(f"{c[1]} {c[0][:6]}", int(c[2] or 0), ERROR_COLOUR) for c in worst]
    nights = [str(t[0]) for t in trend]
    demo_banner = ('<p class="demo">演示数据：人员代码（person_key）使用公开的开发密钥生成，'
                   "不具备保护作用，不得用于真实数据。</p>" if demo else "")  # fmt: skip
    key_banner = ('<p class="key-restart">自本夜起使用新的人员代码密钥：所有人员代码（person_key）都已改变，'
                  "此前各夜的问题在本夜记为“已整改”、本夜的问题记为“新发现”，新发现与已整改数不能与此前各夜比较；"
                  "问题的连续跟踪从本夜重新开始。</p>" if data["key_restart"].rows[0][0] else "")
    sections = [
        f"<h1>数据质量报告 {night.isoformat()}</h1>",
        demo_banner,
        key_banner,
        '<p class="totals">'
        f'<span class="error">错误 {errors:,}</span> · <span class="warning">提示 {warnings:,}</span>'
        f" · 新发现 {new:,} · 已整改 {resolved:,}（与上一次运行相比）</p>",
        '<p>链接：<a href="data_docs/index.html">校验结果（Great Expectations）</a> · '
        '<a href="../docs/index.html">指标口径（dbt docs）</a> · '
        '<a href="../report/index.html">指标报告（贫困发生率、覆盖率、多维贫困、报送及时性）</a>'
        " · 县级问题清单见下表"
        "（含证件号码和姓名，保存在受限目录，仅数据管理员可打开）</p>",
        "<h2>一、数据接收对账（读入 = 入库 + 隔离）</h2>",
        html_table("ingest", ["数据源", "报送批次", "文件数", "读入行数", "入库行数", "隔离行数",
                               "拒收文件", "未完成文件", "对账"],
                    [[FEED_ZH.get(r[0], r[0]), *r[1:]] for r in data["ingest"].rows]),
    ]
    if data["problem_files"].rows:
        sections += ["<h3>未入库或需要核实的文件</h3>", html_table(
            "problem-files", HEADERS_ZH, data["problem_files"].rows)]
    sections += [
        "<h2>二、按规则</h2>",
        bar_chart("chart-rules", "各规则问题记录数", rule_bars, axis="问题记录数",
                  legend=[("错误", ERROR_COLOUR), ("提示", WARNING_COLOUR)]),
        html_table("rules", ["规则", "严重程度", "问题类型", "检查记录数", "问题记录数", "问题率(%)",
                              "新发现", "已整改", "未整改"],
                    [[r[0], SEVERITY_ZH[r[1]], *r[2:]] for r in rules]),
        "<h2>三、按数据源</h2>",
        bar_chart("chart-feeds", "各数据源问题记录数", feed_bars, axis="问题记录数",
                  legend=[("问题记录（错误与提示）", NEUTRAL_COLOUR)]),
        html_table("feeds", ["数据源", "检查记录数", "问题记录数", "问题率(%)", "新发现", "已整改",
                              "未整改"],
                    [[FEED_ZH.get(f[0], f[0]), *f[1:]] for f in data["feeds"].rows]),
        f"<h2>四、趋势（最近 {len(trend)} 次运行）</h2>",
        line_chart("chart-trend", "每次运行的问题记录数", nights,
                   [("错误", [int(t[1] or 0) for t in trend], ERROR_COLOUR),
                    ("提示", [int(t[2] or 0) for t in trend], WARNING_COLOUR)],
                   x_axis="运行日期", y_axis="问题记录数"),
        line_chart("chart-changes", "新发现与已整改", nights,
                   [("新发现", [int(t[3] or 0) for t in trend], NEUTRAL_COLOUR),
                    ("已整改", [int(t[4] or 0) for t in trend], RESOLVED_COLOUR)],
                   x_axis="运行日期", y_axis="问题数"),
        f"<h2>五、问题最多的县（前 {len(worst)} 个，按错误数）</h2>",
        bar_chart("chart-counties", "各县错误记录数", county_bars, axis="错误记录数",
                  legend=[("错误", ERROR_COLOUR)]),
        *[f'<p class="standing">问题清单与 {standing.isoformat()} 的相同（此后没有新发现或已整改的问题），'
          "沿用该日的文件；状态和持续天数以该日为准。</p>"
          for standing in {w.night for w in worklists} if standing < night],
        html_table("counties", ["县", "区划代码", "错误", "提示", "新发现", "已整改", "问题清单"],
                    [[c[1], c[0], c[2] or 0, c[3] or 0, c[4], c[5], worklist_links(c[0])]
                     for c in counties]),
    ]
    return page(f"数据质量报告 {night.isoformat()}", "\n".join(sections))


def write_report(conn: duckdb.DuckDBPyConnection, night: date, marts_dir: Path,
                 worklists: list[Worklist], demo: bool, raw_dir: Path | None = None) -> Path:
    """Write the night's page and make it the current index.html; returns the index."""
    folder = marts_dir / REPORT_FOLDER
    return write_pages(folder, night, render(gather(conn, night, raw_dir), night, worklists, folder, demo))
