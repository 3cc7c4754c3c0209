"""delivery_timeliness, delivery_completeness, income_poverty_gap and indicator_outliers
on a province small enough to work out by hand (the MPI marts are checked on the fixture
of test_marts). Run date 2021-01-10.

Areas: province 510000 > city 510100 > counties A 510101, B 510102, C 510103.
  A: townships T1 with villages V1…V6, T2 with W1…W5, T3 with X1…X7, T4 with Y1…Y6;
  B: township TB with village B1;  C: township TC with village C1.
  Every village has a rural population of 100 in 2019 and 2020, so a village's 贫困发生率
  is its number of poor persons; but X6 has 200, X7 99 and Y6 201.

Deliveries (default calendar: registry due 06-30 and 12-31, dibao 12-31, funds 06-30 and
12-31, population and standards 03-31, grace 15 days; windows run from the previous due
date + 15 days, exclusive, to the due date + 15 days):
  registry 2019-12-31 (A B C), 2020-06-30 (A B), 2020-07-08 (C alone), 2020-12-31 (A B C);
    nothing for 2019-06-30.
    -> 2019-06-30: every county missing, nothing in (2019-01-15, 2019-07-15];
       2020-06-30: C late by 8 days; 2020-12-31: all on time although the grace period
       runs to 2021-01-15 (after the run date).
  dibao 2019-12-31 (A B), 2020-01-05 (C alone, without 证件号码: the delivery is rejected)
    -> C missing for 2019-12-31, its only delivery rejected; 2020-12-31 not yet due.
  funds 2020-06-30 (A B) -> C missing.
  population 2019-03-31 (for 2019), 2020-04-10 (for 2020) -> province late by 10 days.
  standards 2019-01-15, 2020-01-15 (poverty line 4000) -> on time.

Incidence (poor persons per village) 2019 -> 2020:
  T1: V1 10->9, V2 10->8, V3 10->8, V4 10->7, V5 10->7, V6 25->5:
      changes -1 -2 -2 -3 -3 -20, median -2.5, |c - m| = 1.5 .5 .5 .5 .5 17.5, MAD = .5;
      V6: z = 0.6745 x -17.5 / .5 = -23.6075 (flagged); V1: 0.6745 x 1.5 / .5 = 2.0235.
  T2: W1..W4 5->5, W5 5->0: changes 0 0 0 0 -5, median 0, MAD 0, mean |c - m| = 1:
      W5: z = -5 / 1.253314 = -3.9894 (flagged); W1: z = 0.
  T3: X1..X5 10->10, X6 20->16 of 200 (10 % -> 8 %), X7 50->0 of 99: X7's denominator is
      below 100, so it is neither scored nor a sibling; changes 0 0 0 0 0 -2, median 0,
      MAD 0, mean |c - m| = 2/6: X6: z = -2 / (1.253314 x 2/6) = -4.7873, |c| = 2: flagged.
  T4: Y1..Y5 10->10, Y6 10->6 of 201 (4.98 % -> 2.99 %): c = -1.99, z = -4.7873 as X6's,
      but |c| < 2 points: not flagged.
  T1..T4 are only four townships: z NULL, not flagged.

Income poverty gap 2020, village B1 (line 4000): HB1 2 persons at 4000 (no gap), HB2 at
3999 (gap 0.00025), HB3 at 1000 (gap 0.75), HB4 without income: 家庭人均纯收入 is mandatory
in the registry contract, so that row is quarantined at ingest and reaches no figure.
  persons 4, below 2, FGT0 50 %, FGT1 (0.00025 + 0.75) / 4 = 0.1876,
  FGT2 (0.0000000625 + 0.5625) / 4 = 0.1406, mean shortfall (1 + 3000) / 2 = 1500.50,
  without income 0. C1's one person earns 5000: nobody below, no shortfall.
"""

import re
import shutil
import subprocess

import pytest

from tests.deliveries import (
    POPULATION_HEADER,
    REGISTRY_HEADER,
    STANDARDS_HEADER,
    deliver,
    make_id,
    person,
)
from tests.runner import query, run_pipeline
from tests.test_marts import headers
from tests.test_quality_history import CHROMIUM_FLAGS

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

RUN_DATE = "2021-01-10"
PROVINCE, CITY = "510000000000", "510100000000"
A, B, C = "510101000000", "510102000000", "510103000000"
T1, T2, TB, TC = "510101101000", "510101102000", "510102101000", "510103101000"
V = [f"510101101{200 + i}" for i in range(1, 7)]
W = [f"510101102{200 + i}" for i in range(1, 6)]
T3, T4 = "510101103000", "510101104000"
X = [f"510101103{200 + i}" for i in range(1, 8)]
Y = [f"510101104{200 + i}" for i in range(1, 7)]
B1, C1 = "510102101201", "510103101201"
POOR = {**dict(zip(V, [(10, 9), (10, 8), (10, 8), (10, 7), (10, 7), (25, 5)], strict=True)),
        **{w: (5, 5) for w in W[:4]}, W[4]: (5, 0),
        **{v: (10, 10) for v in X[:5] + Y[:5]}, X[5]: (20, 16), X[6]: (50, 0),
        Y[5]: (10, 6)}  # fmt: skip
RURAL = {X[5]: 200, X[6]: 99, Y[5]: 201}  # every other village: 100


def population(year: str) -> list[list[str]]:
    rows = [[PROVINCE, "示范省", "", "省", year, ""], [CITY, "甲市", PROVINCE, "市", year, ""]]
    for county, name, townships in ((A, "甲县", [(T1, V), (T2, W), (T3, X), (T4, Y)]),
                                    (B, "乙县", [(TB, [B1])]), (C, "丙县", [(TC, [C1])])):  # fmt: skip
        rows.append([county, name, CITY, "县", year, ""])
        for township, villages in townships:
            rows.append([township, f"{township[6:9]}镇", county, "乡", year, ""])
            rows += [[v, f"{v[-3:]}村", township, "村", year, str(RURAL.get(v, 100))]
                     for v in villages]
    return [POPULATION_HEADER, *rows]


class People:
    """Unique, valid ID numbers, one per call."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, area: str) -> str:
        self.count += 1
        return make_id("19800101", f"{self.count:03d}", area[:6])


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    ids = People()
    village_people = {v: [ids.next(v) for _ in range(POOR[v][0])] for v in POOR}

    def county_a(year: int) -> list[list[str]]:
        rows = [REGISTRY_HEADER]
        for village, members in village_people.items():
            poor = POOR[village][0 if year == 2019 else 1]
            for n, id_number in enumerate(members):
                status, exit_year = ("未脱贫", "") if n < poor else ("已脱贫", str(year))
                rows.append(person(f"H{id_number[-8:]}", id_number, "户主", village, status,
                                   exit_year))
        return rows

    hb = [("HB1", ids.next(B1), "户主", "4000"), ("HB1", ids.next(B1), "配偶", "4000"),
          ("HB2", ids.next(B1), "户主", "3999"), ("HB3", ids.next(B1), "户主", "1000"),
          ("HB4", ids.next(B1), "户主", "")]  # fmt: skip
    county_b = [REGISTRY_HEADER, *[person(h, i, r, B1, "未脱贫", income=inc) for h, i, r, inc in hb]]
    c_person = ids.next(C1)
    county_c = [REGISTRY_HEADER, person("HC1", c_person, "户主", C1, "未脱贫", income="5000")]

    deliver(raw, "population", "2019-03-31", {"p.csv": population("2019")})
    deliver(raw, "population", "2020-04-10", {"p.csv": population("2020")})
    for day, year in (("2019-01-15", "2019"), ("2020-01-15", "2020")):
        deliver(raw, "standards", day, {"s.csv": [
            STANDARDS_HEADER, [PROVINCE, year, "4000", "4600", "3.00", ""]]})
    deliver(raw, "registry", "2019-12-31", {"a.csv": county_a(2019), "b.csv": county_b,
                                            "c.csv": county_c})
    deliver(raw, "registry", "2020-06-30", {"a.csv": county_a(2020), "b.csv": county_b})
    deliver(raw, "registry", "2020-07-08", {"c.csv": county_c})
    deliver(raw, "registry", "2020-12-31", {"a.csv": county_a(2020), "b.csv": county_b,
                                            "c.csv": county_c})
    dibao = headers("dibao")
    a_person = village_people[V[0]][0]
    deliver(raw, "dibao", "2019-12-31", {
        "a.csv": [dibao, ["DA", a_person, "某人", a_person, "农村低保", "300", "2019-01-01", "",
                          "在保", V[0]]],
        "b.csv": [dibao, ["DB", hb[2][1], "某人", hb[2][1], "农村低保", "300", "2019-01-01", "",
                          "在保", B1]],
    })  # fmt: skip
    without_id = [c for c in dibao if c != "证件号码"]
    deliver(raw, "dibao", "2020-01-05", {"c.csv": [
        without_id, ["DC", "某人", c_person, "农村低保", "300", "2019-01-01", "", "在保", C1]]})
    fund = headers("funds")
    deliver(raw, "funds", "2020-06-30", {
        "a.csv": [fund, ["P1", "项目1", A, "中央", "产业发展", "2020", "2020-06", "100", "60", "50"]],
        "b.csv": [fund, ["P2", "项目2", B, "中央", "产业发展", "2020", "2020-06", "100", "60", "50"]],
    })  # fmt: skip
    work = tmp_path_factory.mktemp("work")
    run_pipeline(raw, work, "--run-date", RUN_DATE)
    return raw, work


@pytest.fixture(scope="module")
def marts(province):
    return province[1] / "marts"


def timeliness(marts, feed, due_date, area):
    return query(marts, """
        select status, delivery_date::varchar, days_late, detail from marts.delivery_timeliness
        where feed = ? and due_date = ? and area_code = ?""", [feed, due_date, area])[0]


def test_a_due_date_nobody_delivered_is_missing_for_every_county(marts):
    for county in (A, B, C):
        assert timeliness(marts, "registry", "2019-06-30", county) == (
            "missing", None, None, "2019-01-16至2019-07-15之间没有任何报送")


def test_a_county_that_delivered_after_the_due_date_is_late(marts):
    assert timeliness(marts, "registry", "2020-06-30", A) == ("on_time", "2020-06-30", None, None)
    assert timeliness(marts, "registry", "2020-06-30", C) == (
        "late", "2020-07-08", 8, "逾期8天报送（2020-07-08）")


def test_delivered_before_the_due_date_is_on_time_while_the_grace_period_runs(marts):
    assert timeliness(marts, "registry", "2020-12-31", C) == ("on_time", "2020-12-31", None, None)


def test_a_county_whose_only_delivery_was_rejected_is_missing_and_says_so(marts):
    assert timeliness(marts, "dibao", "2019-12-31", B) == ("on_time", "2019-12-31", None, None)
    assert timeliness(marts, "dibao", "2019-12-31", C) == (
        "missing", None, None,
        "截至2020-01-15（含宽限期）只收到：2019-12-31（无本地区该表记录）、2020-01-05（被拒收）")


def test_a_county_left_out_of_a_delivery_is_missing(marts):
    assert timeliness(marts, "funds", "2020-06-30", C) == (
        "missing", None, None, "截至2020-07-15（含宽限期）只收到：2020-06-30（无本地区该表记录）")


def test_a_due_date_whose_grace_period_has_not_ended_is_not_yet_due(marts):
    assert timeliness(marts, "dibao", "2020-12-31", A) == (
        "not_yet_due", None, None, "宽限期至2021-01-15，尚未到期")


def test_province_wide_tables_have_one_row_per_due_date_for_the_province(marts):
    assert timeliness(marts, "population", "2020-03-31", PROVINCE) == (
        "late", "2020-04-10", 10, "逾期10天报送（2020-04-10）")
    assert timeliness(marts, "standards", "2020-03-31", PROVINCE) == (
        "on_time", "2020-01-15", None, None)
    assert query(marts, """select count(*), count(distinct due_date), min(area_code), max(area_code)
        from marts.delivery_timeliness where table_name = 'claims'""") == [
        (24, 24, PROVINCE, PROVINCE)]  # 12 months x 2 years


def test_every_county_of_the_latest_population_has_a_row_per_due_date(marts):
    # registry: 2 due dates x 2 years x 3 counties
    assert query(marts, "select count(*) from marts.delivery_timeliness "
                        "where table_name = 'registry'") == [(12,)]


def test_completeness_counts_counties_and_leaves_out_due_dates_still_open(marts):
    rows = query(marts, """
        select feed, due_date::varchar, counties_expected, counties_on_time, counties_late,
            counties_missing, completeness_pct, timeliness_pct
        from marts.delivery_completeness
        where feed in ('registry', 'funds', 'dibao', 'population') order by feed, due_date""")
    assert rows == [
        ("dibao", "2019-12-31", 3, 2, 0, 1, 66.67, 66.67),
        ("funds", "2019-06-30", 3, 0, 0, 3, 0.0, 0.0),
        ("funds", "2019-12-31", 3, 0, 0, 3, 0.0, 0.0),
        ("funds", "2020-06-30", 3, 2, 0, 1, 66.67, 66.67),
        ("population", "2019-03-31", 1, 1, 0, 0, 100.0, 100.0),
        ("population", "2020-03-31", 1, 0, 1, 0, 100.0, 0.0),
        ("registry", "2019-06-30", 3, 0, 0, 3, 0.0, 0.0),
        ("registry", "2019-12-31", 3, 3, 0, 0, 100.0, 100.0),
        ("registry", "2020-06-30", 3, 2, 1, 0, 100.0, 66.67),
        ("registry", "2020-12-31", 3, 3, 0, 0, 100.0, 100.0),
    ]  # dibao and funds 2020-12-31: nobody delivered and the grace period runs: left out


def gap(marts, area):
    return query(marts, """
        select persons, persons_below_line, fgt0_pct, fgt1_gap_index, fgt2_severity_index,
            mean_shortfall_yuan::double, persons_without_income
        from marts.income_poverty_gap where year = 2020 and area_code = ?""", [area])[0]


def test_poverty_gap_at_just_below_and_far_below_the_line(marts):
    assert gap(marts, B1) == (4, 2, 50.0, 0.1876, 0.1406, 1500.5, 0)
    assert gap(marts, B) == gap(marts, B1)  # the county is that one village
    assert query(marts, "select rows_quarantined from marts.ingest_reconciliation "
                        "where feed = 'registry' and delivery_date = '2020-12-31' and file = 'b.csv'"
                 ) == [(1,)]  # HB4, without income


def test_poverty_gap_without_anyone_below_the_line_has_no_shortfall(marts):
    assert query(marts, "select persons_below_line, fgt1_gap_index, mean_shortfall_yuan "
                        "from marts.income_poverty_gap where year = 2020 and area_code = ?",
                 [C1]) == [(0, 0.0, None)]  # fmt: skip


def outlier(marts, area):
    return query(marts, """
        select value, previous_value, change, sibling_median_change, modified_z, flagged
        from marts.indicator_outliers
        where year = 2020 and indicator = 'incidence_pct' and area_code = ?""", [area])[0]


def test_a_drop_far_faster_than_six_siblings_is_flagged(marts):
    assert outlier(marts, V[5]) == (5.0, 25.0, -20.0, -2.5, -23.6075, True)
    assert outlier(marts, V[0]) == (9.0, 10.0, -1.0, -2.5, 2.0235, False)
    assert query(marts, """select area_code from marts.indicator_outliers
        where year = 2020 and indicator = 'incidence_pct' and flagged order by area_code""") == [
        (V[5],), (W[4],), (X[5],)]


def test_siblings_with_no_spread_fall_back_to_the_mean_absolute_deviation(marts):
    assert outlier(marts, W[4]) == (0.0, 5.0, -5.0, 0.0, -3.9894, True)
    assert outlier(marts, W[0]) == (5.0, 5.0, 0.0, 0.0, 0.0, False)


def outlier_scope(marts, area):
    return query(marts, """
        select denominator, previous_denominator, sibling_median_change, modified_z, flagged
        from marts.indicator_outliers
        where year = 2020 and indicator = 'incidence_pct' and area_code = ?""", [area])[0]


def test_a_denominator_of_99_is_not_scored_and_no_sibling_one_of_100_is(marts):
    assert outlier_scope(marts, X[6]) == (99, 99, None, None, False)
    assert outlier_scope(marts, X[0]) == (100, 100, 0.0, 0.0, False)
    assert outlier(marts, X[5]) == (8.0, 10.0, -2.0, 0.0, -4.7873, True)  # X7 left out


def test_a_change_of_two_points_is_flagged_one_of_199_is_not(marts):
    assert outlier(marts, Y[5]) == (2.99, 4.98, -1.99, 0.0, -4.7873, False)
    assert outlier_scope(marts, Y[5])[:2] == (201, 201)


def test_fewer_than_five_siblings_get_no_score(marts):
    for area in (T1, A, PROVINCE):
        assert outlier(marts, area)[4:] == (None, False)


@pytest.fixture(scope="module")
def report_dom(marts, tmp_path_factory):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by scripts/test.sh"
    profile = tmp_path_factory.mktemp("chromium")
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
         "--dump-dom", (marts / "report" / "index.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout


def test_indicator_report_lays_out_every_chart_with_marks_in_chromium(marts, report_dom):
    assert "扶贫监测指标报告 2021-01-10" in report_dom
    charts = re.findall(r'<svg[^>]*class="chart"[^>]*>', report_dom)
    ids = [re.search(r'id="([^"]+)"', c).group(1) for c in charts]
    # one incidence chart per county, reimbursement in/out, funds, MPI contributions,
    # FGT1, FGT2, and one timeliness matrix per feed table
    assert sorted(i for i in ids if i.startswith("chart-incidence-")) == [
        f"chart-incidence-{c}" for c in (A, B, C)]
    for chart in ("chart-reimbursement-in", "chart-reimbursement-out", "chart-funds",
                  "chart-mpi-contributions", "chart-fgt1", "chart-fgt2",
                  "chart-timeliness-registry-registry", "chart-timeliness-dibao-dibao",
                  "chart-timeliness-medical-claims", "chart-timeliness-population-population"):
        assert chart in ids
    assert f'data-charts-rendered="{len(charts)}"' in report_dom
    for tag in charts:
        assert int(re.search(r'data-rendered-width="(\d+)"', tag).group(1)) > 0, tag
        assert int(re.search(r'data-marks="(\d+)"', tag).group(1)) > 0, tag
        assert int(re.search(r'data-title-width="(\d+)"', tag).group(1)) > 0, tag  # laid out
    assert (marts / "report" / f"{RUN_DATE}.html").exists()


def chart(dom: str, chart_id: str) -> str:
    return re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', dom, re.S).group(0)


def test_every_chart_prints_its_title_its_axes_and_a_legend(report_dom):
    """Two bar charts of the same counties are told apart by what they print, not by a
    hover tooltip."""
    titles = {}
    for svg in re.findall(r'<svg[^>]*class="chart".*?</svg>', report_dom, re.S):
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)
        titles[chart_id] = re.search(r'<text class="chart-title"[^>]*>([^<]+)</text>', svg).group(1)
        assert 'class="axis-label"' in svg and 'class="legend"' in svg, chart_id
    assert titles["chart-reimbursement-in"] == "县域内住院：综合保障报销比例(%)"
    assert titles["chart-reimbursement-out"] == "县域外住院：综合保障报销比例(%)"
    assert titles["chart-fgt1"] == "各县贫困深度指数 FGT1"
    assert titles["chart-fgt2"] == "各县贫困强度指数 FGT2"
    assert "横轴：县域外住院报销比例(%)" in chart(report_dom, "chart-reimbursement-out")
    assert ">年度</text>" in chart(report_dom, f"chart-incidence-{A}")
    assert ">2020</text>" in chart(report_dom, f"chart-incidence-{A}")


def test_report_tables_print_years_as_years_and_align_text_left(report_dom):
    outliers = re.search(r'<table id="outliers">.*?</table>', report_dom, re.S).group(0)
    assert '<td class="text">2020</td>' in outliers and "2,020" not in outliers
    assert f'<td class="text">{V[5]}</td>' in outliers  # a code is text
    assert re.search(r"<td>-23\.61</td>|<td>-20\.00</td>", outliers)  # numbers stay right


def test_indicator_report_shows_the_late_and_missing_counties_and_the_outliers(report_dom):
    problems = re.search(r'<table id="timeliness-problems">.*?</table>', report_dom, re.S).group(0)
    assert "逾期8天报送（2020-07-08）" in problems and "2020-01-05（被拒收）" in problems
    outliers = re.search(r'<table id="outliers">.*?</table>', report_dom, re.S).group(0)
    assert V[5] in outliers and W[4] in outliers and "-23.61" in outliers
    assert "贫困发生率(%)" in outliers and "incidence_pct" not in outliers  # named in Chinese
    assert '<a href="../quality/index.html">' in report_dom


def test_indicator_report_holds_aggregates_only(marts, report_dom):
    page = (marts / "report" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"\d{17}[\dXx]", page)  # no ID number
    keys = query(marts, "select distinct person_key from marts.quality_flags "
                        "where person_key is not null")
    assert keys and not any(k in page for (k,) in keys)
    assert "某人" not in page and "测试人" not in page  # no name


def test_quality_report_links_the_indicator_report(marts):
    page = (marts / "quality" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../report/index.html">' in page


def test_readme_has_one_query_for_each_monitoring_mart_and_each_runs(marts):
    from tests.test_marts import _readme_block

    block = _readme_block("One query for each monitoring mart (`povmon sql \"…\"` or any client above):"
                          "\n\n```sql\n")
    statements = [s for s in block.split(";") if s.strip()]
    marts_queried = [re.search(r"FROM marts\.(\w+)", s).group(1) for s in statements]
    assert marts_queried == ["mpi_decomposition", "mpi_cutoff_sensitivity", "income_poverty_gap",
                             "delivery_timeliness", "delivery_completeness", "indicator_outliers"]
    for statement in statements:
        assert query(marts, statement), statement


def test_a_later_night_with_nothing_new_turns_not_yet_due_into_missing(province, tmp_path):
    """On a copy of the module's folders (the other tests read the night of RUN_DATE): on
    2021-01-20 nothing new arrived, so only the models that depend on the run date are
    rebuilt, and the grace period of 2020-12-31 has ended: dibao is missing everywhere and
    now counts in completeness."""
    raw, work = province[0], tmp_path / "work"
    shutil.copytree(province[1], work)
    run_pipeline(raw, work, "--run-date", "2021-01-20")
    marts = work / "marts"
    assert timeliness(marts, "dibao", "2020-12-31", A) == (
        "missing", None, None, "2020-01-16至2021-01-15之间没有任何报送")
    assert query(marts, "select counties_expected, counties_missing from marts.delivery_completeness "
                        "where feed = 'dibao' and due_date = '2020-12-31'") == [(3, 3)]
