"""The validation results as one page that opens anywhere: ``<marts>/quality/data_docs/
index.html``, written from the outcomes the suites recorded (pipelines/validation/run.py).

GX's own Data Docs site loads its scripts and styles from public CDNs and builds its list
of validations in JavaScript, so on an office intranet with no internet the index is
blank; and its result files are named after run times (``20261201T012131.123Z`` with
``:`` in older versions), which a Windows share refuses. This page is self-contained (the
reports' own style, no script, no URL out), lists every suite and every validated batch
with counts only (no value, no row), and is the only file in its folder. The GX results
themselves stay in the restricted store beside the warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from html import escape
from pathlib import Path

from pipelines.core.rule_names import rule_name
from pipelines.core.state import OUTCOMES_FOLDER
from pipelines.feeds import FEEDS
from pipelines.reports.delivery_problems import FEED_ZH
from pipelines.reports.html import Markup, html_table, page

KINDS_ZH = {"contract": "结构与取值（阻断）", "quality": "数据质量（提示）"}
INDEX = "index.html"


def _column(expectation: dict) -> str:
    return expectation["kwargs"].get("column") or expectation["meta"].get("column") or ""


def describe(expectation: dict) -> str:
    """What an expectation asks, in Chinese (the suites' own description when it has one)."""
    if "description" in expectation:
        return expectation["description"]
    kwargs, column = expectation["kwargs"], _column(expectation)
    kind = expectation["type"]
    if kind == "expect_table_columns_to_match_set":
        return "表的字段与数据契约一致：" + "、".join(kwargs["column_set"])
    if kind == "expect_column_values_to_not_be_null":
        return f"{column} 不为空"
    if kind == "expect_column_values_to_be_in_type_list":
        return f"{column} 的类型为 {' / '.join(kwargs['type_list'])}"
    if kind == "expect_column_values_to_be_in_set":
        return f"{column} 的取值在代码表中（{len(kwargs.get('value_set', []))} 个代码）"
    if kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        bounds = [f"≥ {low:g}" if low is not None else "", f"≤ {high:g}" if high is not None else ""]
        return f"{column} {'，'.join(b for b in bounds if b)}"
    return kind


def _key(rule: str | None, kind: str, column: str | None) -> tuple:
    return rule, kind, column or ""


def _failure(failure: dict) -> str:
    rows = failure["unexpected"]
    return (f"{rule_name(failure['rule'])} {failure['column'] or ''}："
            + ("出错" if rows is None else f"{rows:,} 行"))


def _suite_section(name: str, suite: dict, outcomes: dict[str, dict]) -> tuple[list, str]:
    """The suite's summary row and its section: the expectations, then every batch."""
    table, kind = name.split(".")
    feed = next(f for f in FEEDS.values() if table in {t.name for t in f.tables})
    anchor = name.replace(".", "-")
    expectations = suite["expectations"]
    failing: dict[tuple, int] = {}
    batches = []
    for unit, recorded in sorted(outcomes.items()):
        outcome = recorded["outcome"]
        failed = {_key(f["rule"], f["expectation"], f["column"]): f for f in outcome["failures"]}
        for key, f in failed.items():
            failing[key] = failing.get(key, 0) + (f["unexpected"] or 0)
        batches.append([
            unit if len(unit) > 4 else f"{unit}年（{len(recorded['states'])} 批报送）",
            ", ".join(sorted(recorded["states"])), outcome["validated_at"].replace("T", " "),
            Markup('<span class="ok">✔ 通过</span>' if outcome["success"]
                   else '<span class="gap">✘ 未通过</span>'),
            "；".join(_failure(f) for f in outcome["failures"]) or "—",
        ])  # fmt: skip
    rows = [[rule_name(e["meta"].get("rule")), describe(e),
             e["type"], _column(e),
             failing.get(_key(e["meta"].get("rule"), e["type"], _column(e)), 0)]
            for e in expectations]  # fmt: skip
    ok = all(r["outcome"]["success"] for r in outcomes.values())
    summary = [Markup(f'<a href="#{anchor}">{name}</a>'), FEED_ZH.get(feed.id, feed.id),
               KINDS_ZH[kind], len(expectations), len(outcomes),
               Markup('<span class="ok">✔</span>' if ok else '<span class="gap">✘</span>'),
               sum(failing.values())]  # fmt: skip
    section = "\n".join([
        f'<h2 id="{anchor}">{name}：{escape(feed.title)} · {KINDS_ZH[kind]}</h2>',
        html_table(f"expectations-{anchor}", ["规则", "期望", "GX 期望类型", "字段",
                                              "未满足行数（各批合计）"], rows),
        html_table(f"batches-{anchor}", ["批次", "覆盖的报送日期", "校验时间", "结果",
                                         "未满足的期望"], batches)
        if batches else "<p>尚无已入库的报送。</p>",
    ])  # fmt: skip
    return summary, section


def render(gx_root: Path, night: date) -> str:
    suites = json.loads((gx_root / "suites.json").read_text())["suites"]
    summaries, sections = [], []
    for name in sorted(suites):
        folder = gx_root / OUTCOMES_FOLDER / name
        outcomes = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
        summary, section = _suite_section(name, suites[name], outcomes)
        summaries.append(summary)
        sections.append(section)
    body = [
        f"<h1>校验结果（Great Expectations）{night.isoformat()}</h1>",
        "<p>每张入库表两个校验集：“结构与取值”不通过时当晚不生成成果表；“数据质量”只提示。"
        "每批报送只在新到、更正或校验集改变时重新校验，其余沿用上次结果。本页只有计数，"
        "没有任何记录的值。<a href=\"../index.html\">返回数据质量报告</a></p>",
        html_table("suites", ["校验集", "数据源", "类型", "期望数", "批次数", "全部通过",
                              "未满足行数"], summaries),
        *sections,
    ]  # fmt: skip
    return page(f"校验结果 {night.isoformat()}", "\n".join(body),
                extra_style=".ok { color: #3c9d5d; } .gap { color: #c0392b; }")


def write_data_docs(gx_root: Path, docs_dir: Path, night: date) -> Path:
    """The page, renamed into place; anything else in its folder (an earlier version's GX
    site) is removed."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    building = docs_dir / f".{INDEX}.building"
    building.write_text(render(gx_root, night), encoding="utf-8")
    index = docs_dir / INDEX
    os.replace(building, index)
    for entry in docs_dir.iterdir():
        if entry != index:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return index
