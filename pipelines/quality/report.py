"""The night's quality report: one self-contained HTML page for statisticians and data
stewards, written to ``<marts>/quality/index.html`` and a dated copy
``<marts>/quality/<night>.html``.

It holds counts only (no ID number, no name, no person_key): ingest reconciliation, flags
by rule, feed and county, the trend over previous nights, the worst counties, and links to
the GX Data Docs, the dbt docs and the counties' (restricted) worklists.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import duckdb

from pipelines.quality.charts import (
    ERROR_COLOUR,
    NEUTRAL_COLOUR,
    RESOLVED_COLOUR,
    WARNING_COLOUR,
    bar_chart,
    line_chart,
)
from pipelines.quality.delivery_problems import FEED_ZH, HEADERS_ZH, PROBLEM_FILES, in_chinese
from pipelines.quality.worklists import Worklist

REPORT_FOLDER = "quality"
TREND_NIGHTS = 60
WORST_COUNTIES = 10
SEVERITY_ZH = {"error": "错误", "warning": "提示"}


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple]


def _table(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Table:
    cursor = conn.execute(sql, params or [])
    return Table([d[0] for d in cursor.description], cursor.fetchall())


def gather(conn: duckdb.DuckDBPyConnection, night: date) -> dict[str, Table]:
    """Everything the page shows, from the marts of the warehouse (read-only)."""
    tally = """sum(checked_records) as checked, sum(flagged_records) as flagged,
        round(100.0 * sum(flagged_records) / nullif(sum(checked_records), 0), 2) as rate,
        sum(new_flags) as new, sum(resolved_flags) as resolved, sum(still_open_flags) as still_open"""
    return {
        "rules": _table(conn, f"""
            select rule_id, severity, rule_title, {tally}
            from marts.quality_summary where run_date = ? group by all order by rule_id""", [night]),
        "feeds": _table(conn, f"""
            select feed, {tally}
            from marts.quality_summary where run_date = ? group by all order by flagged desc""",
                        [night]),
        "counties": _table(conn, """
            select county_code, coalesce(county_name, '（区划未知）') as county_name,
                sum(flagged_records) filter (where severity = 'error') as errors,
                sum(flagged_records) filter (where severity = 'warning') as warnings,
                sum(new_flags) as new, sum(resolved_flags) as resolved
            from marts.quality_summary where run_date = ?
            group by all order by errors desc, warnings desc, county_code""", [night]),
        "trend": _table(conn, f"""
            select run_date,
                sum(flagged_records) filter (where severity = 'error') as errors,
                sum(flagged_records) filter (where severity = 'warning') as warnings,
                sum(new_flags) as new, sum(resolved_flags) as resolved
            from marts.quality_summary where run_date <= ?
            group by run_date order by run_date desc limit {TREND_NIGHTS}""", [night]),
        "ingest": _table(conn, """
            select feed, count(distinct delivery_date) as deliveries, count(*) as files,
                sum(rows_read) as rows_read, sum(rows_accepted) as rows_accepted,
                sum(rows_quarantined) as rows_quarantined,
                count(*) filter (where status = 'rejected') as rejected_files,
                count(*) filter (where status = 'skipped_incomplete') as incomplete_files,
                bool_and(rows_read = rows_accepted + rows_quarantined) as adds_up
            from marts.ingest_reconciliation group by feed order by feed"""),
        "problem_files": _table(conn, PROBLEM_FILES),
    }


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "✔" if value else "✘ 不平衡"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return escape("" if value is None else str(value))


def _html_table(table_id: str, headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if isinstance(c, Markup) else _cell(c)}</td>"
                                    for c in row) + "</tr>" for row in rows)  # fmt: skip
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Markup(str):
    """Trusted HTML (links we built), not escaped again."""


def _link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


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
        return Markup(_link(os.path.relpath(w.xlsx, report_dir), "XLSX") + " · "
                      + _link(os.path.relpath(w.csv, report_dir), "CSV"))  # fmt: skip

    rule_bars = [(f"{r[0]} {r[2]}", int(r[4]), ERROR_COLOUR if r[1] == "error" else WARNING_COLOUR)
                 for r in rules]  # fmt: skip
    feed_bars = [(FEED_ZH.get(f[0], f[0]), int(f[2]), NEUTRAL_COLOUR) for f in data["feeds"].rows]
    worst = counties[:WORST_COUNTIES]
    county_bars = [(f"{c[1]} {c[0][:6]}", int(c[2] or 0), ERROR_COLOUR) for c in worst]
    nights = [str(t[0]) for t in trend]
    demo_banner = ('<p class="demo">演示数据：人员代码（person_key）使用公开的开发密钥生成，'
                   "不具备保护作用，不得用于真实数据。</p>" if demo else "")  # fmt: skip
    sections = [
        f"<h1>数据质量报告 {night.isoformat()}</h1>",
        demo_banner,
        '<p class="totals">'
        f'<span class="error">错误 {errors:,}</span> · <span class="warning">提示 {warnings:,}</span>'
        f" · 新发现 {new:,} · 已整改 {resolved:,}（与上一次运行相比）</p>",
        '<p>链接：<a href="data_docs/index.html">校验结果（GX Data Docs）</a> · '
        '<a href="../docs/index.html">指标口径（dbt docs）</a> · 县级问题清单见下表'
        "（含证件号码和姓名，保存在受限目录，仅数据管理员可打开）</p>",
        "<h2>一、数据接收对账（读入 = 入库 + 隔离）</h2>",
        _html_table("ingest", ["数据源", "报送批次", "文件数", "读入行数", "入库行数", "隔离行数",
                               "拒收文件", "未完成文件", "对账"],
                    [[FEED_ZH.get(r[0], r[0]), *r[1:]] for r in data["ingest"].rows]),
    ]
    if data["problem_files"].rows:
        sections += ["<h3>未入库或需要核实的文件</h3>", _html_table(
            "problem-files", HEADERS_ZH, in_chinese(data["problem_files"].rows))]
    sections += [
        "<h2>二、按规则</h2>",
        bar_chart("chart-rules", "各规则问题记录数", rule_bars),
        _html_table("rules", ["规则", "严重程度", "问题类型", "检查记录数", "问题记录数", "问题率(%)",
                              "新发现", "已整改", "未整改"],
                    [[r[0], SEVERITY_ZH[r[1]], *r[2:]] for r in rules]),
        "<h2>三、按数据源</h2>",
        bar_chart("chart-feeds", "各数据源问题记录数", feed_bars),
        _html_table("feeds", ["数据源", "检查记录数", "问题记录数", "问题率(%)", "新发现", "已整改",
                              "未整改"],
                    [[FEED_ZH.get(f[0], f[0]), *f[1:]] for f in data["feeds"].rows]),
        f"<h2>四、趋势（最近 {len(trend)} 次运行）</h2>",
        line_chart("chart-trend", "每次运行的问题记录数", nights,
                   [("错误", [int(t[1] or 0) for t in trend], ERROR_COLOUR),
                    ("提示", [int(t[2] or 0) for t in trend], WARNING_COLOUR)]),
        line_chart("chart-changes", "新发现与已整改", nights,
                   [("新发现", [int(t[3] or 0) for t in trend], NEUTRAL_COLOUR),
                    ("已整改", [int(t[4] or 0) for t in trend], RESOLVED_COLOUR)]),
        f"<h2>五、问题最多的县（前 {len(worst)} 个，按错误数）</h2>",
        bar_chart("chart-counties", "各县错误记录数", county_bars),
        _html_table("counties", ["县", "区划代码", "错误", "提示", "新发现", "已整改", "问题清单"],
                    [[c[1], c[0], c[2] or 0, c[3] or 0, c[4], c[5], worklist_links(c[0])]
                     for c in counties]),
    ]
    return PAGE.format(title=f"数据质量报告 {night.isoformat()}", body="\n".join(sections))


def write_report(conn: duckdb.DuckDBPyConnection, night: date, marts_dir: Path,
                 worklists: list[Worklist], demo: bool) -> Path:
    """Write the night's page and make it the current index.html; returns the index."""
    folder = marts_dir / REPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    html = render(gather(conn, night), night, worklists, folder, demo)
    (folder / f"{night.isoformat()}.html").write_text(html, encoding="utf-8")
    index = folder / "index.html"
    building = folder / ".index.html.building"
    building.write_text(html, encoding="utf-8")
    os.replace(building, index)
    return index


PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; }}
h1 {{ border-bottom: 3px solid #4a7ebb; padding-bottom: .3em; }}
h2 {{ margin-top: 2em; color: #2c5d8f; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th {{ background: #eef3f9; }}
td:first-child, th:first-child {{ text-align: left; }}
svg.chart {{ display: block; margin: 1em 0; font-size: 12px; max-width: 100%; height: auto; }}
.totals {{ font-size: 20px; }}
.error {{ color: #c0392b; }} .warning {{ color: #b7791f; }}
.demo {{ background: #fff3cd; border: 1px solid #e6a23c; padding: .6em; }}
</style>
</head>
<body>
{body}
<script>
// Record what the browser laid out, so a headless check can tell the charts rendered.
window.addEventListener("load", () => {{
  const charts = [...document.querySelectorAll("svg.chart")];
  for (const chart of charts) {{
    const box = chart.getBoundingClientRect();
    chart.dataset.renderedWidth = Math.round(box.width);
    chart.dataset.renderedHeight = Math.round(box.height);
    chart.dataset.marks = chart.querySelectorAll("rect.bar, circle").length;
  }}
  document.body.dataset.chartsRendered = charts.filter(c => c.dataset.renderedWidth > 0).length;
}});
</script>
</body>
</html>
"""
