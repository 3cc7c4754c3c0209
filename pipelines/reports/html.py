"""The parts every report page shares: tables from SQL, cells formatted for a Chinese
reader, trusted links, the page frame (style and the layout probe that headless tests
read), and publishing a night's page as the current index.html by atomic rename."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple]


def query_table(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Table:
    cursor = conn.execute(sql, params or [])
    return Table([d[0] for d in cursor.description], cursor.fetchall())


class Markup(str):
    """Trusted HTML (links and marks we built), not escaped again."""


def link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def cell(value: object) -> str:
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool):
        return "✔" if value else "✘ 不平衡"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return escape("" if value is None else str(value))


def html_table(table_id: str, headers: list[str], rows: list[list[object]],
               row_classes: list[str] | None = None) -> str:
    """A table; ``row_classes`` (one per row, "" for none) lets a page colour rows."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    classes = row_classes or [""] * len(rows)
    body = "".join((f'<tr class="{css}">' if css else "<tr>")
                   + "".join(f"<td>{cell(c)}</td>" if isinstance(c, int | float) else
                             f'<td class="text">{cell(c)}</td>' for c in row) + "</tr>"
                   for row, css in zip(rows, classes, strict=True))  # fmt: skip
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def write_pages(folder: Path, night: date, html: str) -> Path:
    """Write the night's dated page and make it the current index.html (renamed into place,
    so a reader never sees half a page); returns the index."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{night.isoformat()}.html").write_text(html, encoding="utf-8")
    index = folder / "index.html"
    building = folder / ".index.html.building"
    building.write_text(html, encoding="utf-8")
    os.replace(building, index)
    return index


def page(title: str, body: str, extra_style: str = "") -> str:
    return PAGE.format(title=escape(title), body=body, extra_style=extra_style)


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
td.text, th {{ text-align: left; }}
svg.chart {{ display: block; margin: 1em 0; font-size: 12px; max-width: 100%; height: auto; }}
.totals {{ font-size: 20px; }}
.error {{ color: #c0392b; }} .warning {{ color: #b7791f; }}
.demo {{ background: #fff3cd; border: 1px solid #e6a23c; padding: .6em; }}
{extra_style}
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
    chart.dataset.marks = chart.querySelectorAll("rect.bar, rect.cell, circle").length;
    const title = chart.querySelector("text.chart-title");
    chart.dataset.titleWidth = title ? Math.round(title.getBBox().width) : 0;
  }}
  document.body.dataset.chartsRendered = charts.filter(c => c.dataset.renderedWidth > 0).length;
}});
</script>
</body>
</html>
"""
