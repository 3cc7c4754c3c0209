"""The night's indicator report: one self-contained Chinese HTML page for statisticians,
written to ``<marts>/report/index.html`` and a dated copy ``<marts>/report/<night>.html``.

It reads the published marts only and shows aggregates only (areas, never a person):
贫困发生率 against the exit threshold per county, the coverage gaps of the four programs,
reimbursement and fund execution against their targets, the MPI and what drives it,
poverty depth (FGT), the departments' delivery timeliness, the flagged outliers and
防返贫监测 (the four cards, the departments' risk signals, the roster's coverage of them).
"""

from __future__ import annotations

from datetime import date
from html import escape
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
    number,
    stacked_bar_chart,
    status_grid,
)
from pipelines.reports.delivery_problems import FEED_ZH
from pipelines.reports.html import Markup, Table, html_table, link, page, query_table, write_pages

REPORT_FOLDER = "report"
PROGRAM_ZH = labels("program")
INDICATOR_ZH = {i: labels("indicator")[i] for i in ("income", "education", "health", "housing",
                                                    "water")}  # the MPI's five, in this order
TABLE_ZH = {t: labels("table_name")[t] for t in ("enrollment", "claims")}  # a feed's tables
STATUS_ZH = {s: labels("status")[s] for s in ("on_time", "late", "missing", "not_yet_due")}
STATUS_COLOURS = {"on_time": RESOLVED_COLOUR, "late": WARNING_COLOUR, "missing": ERROR_COLOUR,
                  "not_yet_due": "#cfd8e3"}  # fmt: skip
OUTLIER_ROWS = 200

COUNTIES = "area_level = 'county'"
LATEST_YEAR = "(select max(year) from marts.poverty_incidence)"


def gather(conn: duckdb.DuckDBPyConnection) -> dict[str, Table]:
    """Everything the page shows, from the published marts (read-only)."""
    queries = {
        "incidence": f"""
            select area_code, area_name, year, incidence_pct, exit_threshold_pct,
                meets_exit_threshold, poor_persons, rural_population
            from marts.poverty_incidence where {COUNTIES} order by area_code, year""",
        "coverage": f"""
            select area_code, area_name, program, coverage_pct, uncovered_persons
            from marts.program_coverage
            where year = {LATEST_YEAR} and area_level in ('county', 'province')
            order by area_level = 'province', area_code""",
        "reimbursement": f"""
            select area_code, area_name, in_county, reimbursement_pct, target_pct, claims
            from marts.medical_reimbursement where year = {LATEST_YEAR} and {COUNTIES}
            order by area_code""",
        "funds": f"""
            select area_code, area_name, period, execution_rate_pct, target_pct
            from marts.fund_execution
            where {COUNTIES} and fund_source = '全部'
                and period = (select max(period) from marts.fund_execution)
            order by area_code""",
        "mpi": f"""
            select area_code, area_name, persons, headcount_ratio_h, intensity_a, m0
            from marts.multidimensional_poverty
            where year = {LATEST_YEAR} and area_level in ('county', 'province')
            order by area_level = 'province', area_code""",
        "contributions": f"""
            select area_code, indicator, contribution_pct
            from marts.mpi_decomposition where year = {LATEST_YEAR} and {COUNTIES}""",
        "fgt": f"""
            select area_code, area_name, persons, fgt0_pct, fgt1_gap_index, fgt2_severity_index,
                mean_shortfall_yuan, area_level
            from marts.income_poverty_gap
            where year = {LATEST_YEAR} and area_level in ('county', 'province')
            order by area_level = 'province', area_code""",
        "timeliness": """
            select feed, table_name, due_date, area_code, area_name, status, detail
            from marts.delivery_timeliness order by feed, table_name, due_date, area_code""",
        "completeness": """
            select feed, table_name, due_date, counties_expected, counties_on_time,
                counties_late, counties_missing, completeness_pct, timeliness_pct
            from marts.delivery_completeness
            where counties_on_time < counties_expected
            order by due_date desc, feed, table_name""",
        "outliers": f"""
            select year, area_name, area_code, area_level, indicator, value, previous_value,
                change, sibling_median_change, modified_z
            from marts.indicator_outliers where flagged
            order by year desc, abs(modified_z) desc, area_code, indicator
            limit {OUTLIER_ROWS}""",
        "outlier_count": "select count(*) from marts.indicator_outliers where flagged",
        "cards": f"""
            select area_code, area_name, card, households, households_pct
            from marts.household_cards
            where year = {LATEST_YEAR} and area_level in ('county', 'province')
            order by area_level = 'province', area_code""",
        "signals": f"""
            select area_code, area_name, signal, signal_zh, households, unmonitored_households
            from marts.risk_signals
            where year = {LATEST_YEAR} and area_level in ('county', 'province')
            order by area_level = 'province', area_code, signal""",
        "monitoring": f"""
            select area_code, area_name, active_households, unmonitored_signalled_households,
                eliminated_but_signalled_households, monitoring_coverage_pct
            from marts.monitoring_summary
            where year = {LATEST_YEAR} and area_level in ('county', 'province')
            order by area_level = 'province', area_code""",
    }
    return {name: query_table(conn, sql) for name, sql in queries.items()}


def _incidence(data: Table) -> list[str]:
    """Small multiples: one line per county over the years with its exit threshold, then a
    table of every county and year marked ✔ where the threshold is met."""
    years = sorted({r[2] for r in data.rows})
    counties: dict[str, list[tuple]] = {}
    for r in data.rows:
        counties.setdefault(r[0], []).append(r)
    charts, rows = [], []
    for code, county in counties.items():
        by_year = {r[2]: r for r in county}
        threshold = next((r[4] for r in county if r[4] is not None), None)
        charts.append(line_chart(
            f"chart-incidence-{code}", f"{county[0][1]} 贫困发生率(%)", [str(y) for y in years],
            [(county[0][1], [by_year[y][3] if y in by_year else None for y in years],
              NEUTRAL_COLOUR)],
            x_axis="年度", y_axis="贫困发生率(%)",
            reference=("退出阈值", threshold) if threshold is not None else None,
            size=(360, 220), unit="%"))  # fmt: skip
        rows.append([county[0][1], code] + [_incidence_mark(by_year.get(y)) for y in years])
    return [
        '<div class="small-multiples">' + "".join(charts) + "</div>",
        html_table("incidence", ["县", "区划代码", *[f"{y}年" for y in years]], rows),
        "<p>✔ 达到退出标准（贫困发生率低于退出阈值）；✘ 未达到。</p>",
    ]


def _incidence_mark(row: tuple | None) -> Markup:
    if row is None or row[3] is None:
        return Markup("无")
    mark = '<span class="ok">✔</span>' if row[5] else '<span class="gap">✘</span>'
    return Markup(f"{escape(number(row[3], '%'))} {mark}")


def _coverage(data: Table, year: int | None) -> list[str]:
    """Programs × counties, each cell shaded the deeper the further below 100 %."""
    programs = list(PROGRAM_ZH)
    areas: dict[str, dict] = {}
    for code, name, program, pct, uncovered in data.rows:
        areas.setdefault(code, {"name": name})[program] = (pct, uncovered)
    rows = [[a["name"], code, *[_coverage_cell(a.get(p)) for p in programs]]
            for code, a in areas.items()]  # fmt: skip
    return [f"<h2>二、项目覆盖缺口（{year or '—'}年，低于100%标红）</h2>",
            html_table("coverage", ["区划", "区划代码", *PROGRAM_ZH.values()], rows)]


def _coverage_cell(value: tuple | None) -> Markup:
    if value is None or value[0] is None:
        return Markup("无")
    pct, uncovered = value
    if pct >= 100:
        return Markup(escape(number(pct, "%")))
    shade = min(1.0, (100 - pct) / 20)  # 80 % or less: the deepest red
    colour = f"rgba(192, 57, 43, {0.15 + 0.75 * shade:.2f})"
    text = "#fff" if shade > 0.5 else "#7b241c"
    return Markup(f'<span class="below" style="background:{colour}; color:{text}" '
                  f'title="未覆盖 {uncovered:,} 人">{escape(number(pct, "%"))}</span>')  # fmt: skip


TARGET_LEGEND = [("达到目标", RESOLVED_COLOUR), ("低于目标", ERROR_COLOUR), ("无数据", NEUTRAL_COLOUR)]


def _target_bars(rows: list[tuple], value_at: int) -> list[tuple[str, float | None, str]]:
    """(county, value, colour): red below the target (the row's last column), green at or
    above it, grey without a value."""
    bars = []
    for r in rows:
        value, target = r[value_at], r[-1]
        colour = (NEUTRAL_COLOUR if value is None else
                  RESOLVED_COLOUR if value >= target else ERROR_COLOUR)
        bars.append((r[1], value, colour))
    return bars


def _targets(reimbursement: Table, funds: Table, year: int | None) -> list[str]:
    sides = {True: [], False: []}
    for code, name, in_county, pct, target, _claims in reimbursement.rows:
        sides[in_county].append((code, name, pct, target))
    period = funds.rows[0][2] if funds.rows else "—"
    target_of = {side: (rows[0][-1] if rows else None) for side, rows in sides.items()}
    return [
        f"<h2>三、住院费用报销比例与资金支出进度（{year or '—'}年）</h2>",
        bar_chart("chart-reimbursement-in", "县域内住院：综合保障报销比例(%)",
                  _target_bars(sides[True], 2), unit="%", axis="县域内住院报销比例(%)",
                  legend=TARGET_LEGEND,
                  target=("目标", target_of[True]) if target_of[True] else None),
        bar_chart("chart-reimbursement-out", "县域外住院：综合保障报销比例(%)",
                  _target_bars(sides[False], 2), unit="%", axis="县域外住院报销比例(%)",
                  legend=TARGET_LEGEND,
                  target=("目标", target_of[False]) if target_of[False] else None),
        f"<h3>财政专项扶贫资金支出进度（{escape(str(period))}，全部资金来源）</h3>",
        bar_chart("chart-funds", f"资金支出进度(%) {period}", _target_bars(funds.rows, 3),
                  unit="%", axis="支出进度(%) = 支出 / 下达", legend=TARGET_LEGEND,
                  target=("目标", funds.rows[0][-1]) if funds.rows else None),
    ]  # fmt: skip


def _mpi(mpi: Table, contributions: Table, year: int | None) -> list[str]:
    shares: dict[str, dict[str, float | None]] = {}
    for code, indicator, pct in contributions.rows:
        shares.setdefault(code, {})[indicator] = pct
    names = {code: name for code, name, *_ in mpi.rows}
    bars = [(names.get(code, code), [shares[code].get(i) for i in INDICATOR_ZH])
            for code in sorted(shares)]  # fmt: skip
    return [
        f"<h2>四、多维贫困（{year or '—'}年，k = 0.4）</h2>",
        html_table("mpi", ["区划", "区划代码", "人数", "多维贫困发生率 H", "平均剥夺强度 A",
                           "多维贫困指数 M0"],
                   [[r[1], r[0], r[2], *[_ratio(v) for v in r[3:]]] for r in mpi.rows]),
        stacked_bar_chart("chart-mpi-contributions", "各指标对M0的贡献率(%)",
                          list(INDICATOR_ZH.values()), bars, axis="贡献率(%)，合计100"),
    ]  # fmt: skip


def _ratio(value: float | None) -> str:
    return "无" if value is None else f"{value:.4f}"


def _fgt(data: Table, year: int | None) -> list[str]:
    counties = [r for r in data.rows if r[-1] == "county"]
    return [
        f"<h2>五、收入贫困深度与强度（FGT，{year or '—'}年）</h2>",
        bar_chart("chart-fgt1", "各县贫困深度指数 FGT1",
                  [(r[1], r[4], NEUTRAL_COLOUR) for r in counties], decimals=4,
                  axis="FGT1：平均收入缺口占扶贫标准的比例", legend=[("FGT1 贫困深度", NEUTRAL_COLOUR)]),
        bar_chart("chart-fgt2", "各县贫困强度指数 FGT2",
                  [(r[1], r[5], WARNING_COLOUR) for r in counties], decimals=4,
                  axis="FGT2：收入缺口比例的平方的平均", legend=[("FGT2 贫困强度", WARNING_COLOUR)]),
        html_table("fgt", ["区划", "区划代码", "人数", "低于扶贫标准(%) FGT0", "深度 FGT1",
                           "强度 FGT2", "平均收入缺口（元）"],
                   [[r[1], r[0], r[2], r[3], _ratio(r[4]), _ratio(r[5]),
                     "无" if r[6] is None else f"{r[6]:,.2f}"] for r in data.rows]),
    ]  # fmt: skip


def _table_name(feed: str, table_name: str) -> str:
    feed_zh = FEED_ZH.get(feed, feed)
    return f"{feed_zh}·{TABLE_ZH[table_name]}" if table_name in TABLE_ZH else feed_zh


def _timeliness(timeliness: Table, completeness: Table) -> list[str]:
    """One matrix per feed table: counties × due dates, coloured by status."""
    grids: dict[tuple[str, str], list[tuple]] = {}
    for r in timeliness.rows:
        grids.setdefault((r[0], r[1]), []).append(r)
    sections = ["<h2>六、部门报送及时性</h2>",
                "<p>每格一个应报日期 × 县（全省性数据为全省）：绿色按时，橙色逾期（宽限期内），"
                "红色缺报，灰色未到期。鼠标悬停可见说明。</p>"]  # fmt: skip
    for (feed, table_name), rows in grids.items():
        due_dates = sorted({str(r[2]) for r in rows})
        areas = list(dict.fromkeys(f"{r[4]} {r[3][:6]}" for r in rows))
        cells = {(f"{r[4]} {r[3][:6]}", str(r[2])):
                 (r[5], f"{r[4]} {r[2]} {STATUS_ZH[r[5]]}" + (f"：{r[6]}" if r[6] else ""))
                 for r in rows}  # fmt: skip
        title = f"{_table_name(feed, table_name)} 报送情况"
        sections += [f"<h3>{escape(title)}</h3>",
                     status_grid(f"chart-timeliness-{feed}-{table_name}", title, due_dates, areas,
                                 cells, STATUS_COLOURS, STATUS_ZH, columns_axis="应报日期",
                                 rows_axis="县（全省性数据为全省）")]  # fmt: skip
    problems = [[_table_name(r[0], r[1]), r[2], r[4], r[3], STATUS_ZH[r[5]], r[6]]
                for r in timeliness.rows if r[5] in ("late", "missing")]  # fmt: skip
    sections += [
        "<h3>逾期与缺报（需催报）</h3>",
        html_table("timeliness-problems", ["数据", "应报日期", "区划", "区划代码", "状态", "说明"],
                   problems) if problems else "<p>无：所有到期的报送均按时到达。</p>",
        "<h3>完整率与及时率低于100%的应报日期</h3>",
        html_table("completeness", ["数据", "应报日期", "应报", "按时", "逾期", "缺报",
                                    "完整率(%)", "及时率(%)"],
                   [[_table_name(r[0], r[1]), *r[2:]] for r in completeness.rows])
        if completeness.rows else "<p>无。</p>",
    ]  # fmt: skip
    return sections


def _outliers(outliers: Table, flagged: int) -> list[str]:
    shown = f"（共 {flagged:,} 项，列出前 {OUTLIER_ROWS} 项）" if flagged > OUTLIER_ROWS else ""
    rows = [[str(r[0]), r[1], r[2], labels("indicator").get(r[4], r[4]), r[6], r[5], r[7], r[8], r[9]]
            for r in outliers.rows]  # fmt: skip
    return [
        f"<h2>七、指标异常波动{shown}</h2>",
        "<p>同比变化与同级兄弟区划相比的修正z分数绝对值超过3.5、且变化至少2个百分点（多维贫困指数"
        "M0 为0.02）；分母（农村人口、应保人数、结算笔数、建档立卡人数）两年均不少于100的区划才参与"
        "比较，小村人数少、比例随机波动大。按每年修正z分数绝对值从大到小排列。贫困发生率下降远快于"
        "邻近村，可能是“数字脱贫”，请核实。</p>",
        html_table("outliers", ["年度", "区划", "区划代码", "指标", "上年值", "本年值", "变化",
                                "兄弟区划变化中位数", "修正z分数"], rows)
        if rows else "<p>无异常波动。</p>",
    ]  # fmt: skip


CARDS_ZH = {"red": "红卡（未脱贫）", "yellow": "黄卡（脱贫不稳定）", "green": "绿卡（稳定脱贫）"}


def _relapse(cards: Table, signals: Table, monitoring: Table, year: int | None) -> list[str]:
    """The four cards by county (shares of the registry households, blue as a count), the
    signals × counties (signalled households, those not monitored in brackets) and how much
    of what the records signal the roster covers."""
    shares: dict[str, dict] = {}
    for code, name, card, households, pct in cards.rows:
        shares.setdefault(code, {"name": name})[card] = (households, pct)
    bars = [(a["name"], [a.get(c, (0, None))[1] for c in CARDS_ZH]) for a in shares.values()]
    by_signal: dict[str, dict] = {}
    signal_names: dict[str, str] = {}
    for code, name, signal, signal_zh, households, unmonitored in signals.rows:
        by_signal.setdefault(code, {"name": name})[signal] = f"{households:,}（{unmonitored:,}）"
        signal_names[signal] = f"{signal} {signal_zh}"
    covered = [(r[1], r[5], RESOLVED_COLOUR) for r in monitoring.rows if r[5] is not None]
    return [
        f"<h2>八、防返贫监测（{year or '—'}年）</h2>",
        stacked_bar_chart("chart-household-cards", "四卡分类：各卡户数占建档立卡户比例(%)",
                          list(CARDS_ZH.values()), bars, axis="占建档立卡户(%)，合计100"),
        html_table("household-cards", ["区划", "区划代码", *CARDS_ZH.values(), "蓝卡（档外边缘户）"],
                   [[a["name"], code, *[a.get(c, (0, None))[0] for c in CARDS_ZH],
                     a.get("blue", (0, None))[0]] for code, a in shares.items()]),
        "<h3>部门筛查预警：有风险信号的户数（括号内为未纳入监测）</h3>",
        html_table("risk-signals", ["区划", "区划代码", *signal_names.values()],
                   [[a["name"], code, *[a.get(s, "0（0）") for s in signal_names]]
                    for code, a in by_signal.items()]),
        bar_chart("chart-monitoring-coverage", "监测覆盖率(%)：有风险信号的户中已纳入监测的比例",
                  covered, unit="%", axis="监测覆盖率(%)", legend=[("监测覆盖率", RESOLVED_COLOUR)])
        if covered else "<p>无有风险信号的户。</p>",
        html_table("monitoring-summary", ["区划", "区划代码", "监测户（监测期内）",
                                          "应纳未纳（有信号未监测）", "风险消除存疑", "监测覆盖率(%)"],
                   [[r[1], r[0], r[2], r[3], r[4], number(r[5], "%")] for r in monitoring.rows]),
    ]  # fmt: skip


def render(data: dict[str, Table], night: date, demo: bool) -> str:
    years = sorted({r[2] for r in data["incidence"].rows})
    year = years[-1] if years else None
    demo_banner = ('<p class="demo">演示数据：由生成器合成，不代表任何真实地区。</p>'
                   if demo else "")  # fmt: skip
    sections = [
        f"<h1>扶贫监测指标报告 {night.isoformat()}</h1>",
        demo_banner,
        f"<p>链接：{link('../quality/index.html', '数据质量报告')} · "
        f"{link('../docs/index.html', '指标口径（dbt docs）')}。本报告只含汇总数，不含任何个人信息。</p>",
        "<h2>一、贫困发生率与退出标准（各县）</h2>",
        *_incidence(data["incidence"]),
        *_coverage(data["coverage"], year),
        *_targets(data["reimbursement"], data["funds"], year),
        *_mpi(data["mpi"], data["contributions"], year),
        *_fgt(data["fgt"], year),
        *_timeliness(data["timeliness"], data["completeness"]),
        *_outliers(data["outliers"], data["outlier_count"].rows[0][0]),
        *_relapse(data["cards"], data["signals"], data["monitoring"], year),
    ]
    return page(f"扶贫监测指标报告 {night.isoformat()}", "\n".join(sections), STYLE)


def write_indicator_report(conn: duckdb.DuckDBPyConnection, night: date, marts_dir: Path,
                           demo: bool) -> Path:
    """Write the night's page and make it the current index.html; returns the index."""
    return write_pages(marts_dir / REPORT_FOLDER, night, render(gather(conn), night, demo))


STYLE = """
.small-multiples { display: flex; flex-wrap: wrap; gap: 0 12px; }
.small-multiples svg.chart { margin: .3em 0; }
.ok { color: #3c9d5d; } .gap { color: #c0392b; }
span.below { display: inline-block; padding: 0 4px; }
"""
