"""防返贫动态监测 (marts spec, "Relapse-prevention monitoring"): household_cards,
risk_signals and monitoring_summary on a county small enough to work out by hand.

Areas: province 510000 > city 510100 > county 510101 > township 510101100 > villages V1-V3.
Standards (province): 2019 扶贫标准 3,747 and no 监测标准 (so 1.5 x 3,747 = 5,620.50);
2020 扶贫标准 4,000 and 监测标准 6,000.

Registry 2019 (V1 only): H1 A+B 10,000 已脱贫; H2 C 10,000 已脱贫; H3 E 6,000 已脱贫;
H7 N 7,000 已脱贫; H8 W 未脱贫.
Registry 2020: H1 A+B 8,000 (a 20 % drop); H2 C 7,000 (exactly 30 %: M03); H3 E 6,000
(exactly the line: no M02); H7 N 5,500 (M02); H8 W 未脱贫 (red) - all V1; H4 F+F2 9,000,
H5 G 返贫 (red although monitored), H6 U+J 5,999.99 with housing 否 - all V2.

Monitoring: no roster in 2019 (every figure of monitoring_summary 0). 2020-11-30 holds MA
and MZ, superseded by 2020-12-31: MA (F, V2, 脱贫不稳定户, included 2020-02-01), MB (G, V2,
脱贫不稳定户, included 2019-08-01), MC (U, V2, 脱贫不稳定户, included 2019-05-01, risk
eliminated 2020-06-30), MD (P+Q, V2, 边缘易致贫户 档外, 4,500, included 2020-04-01), ME (R,
V1, 突发严重困难户 档外, 7,000, included 2020-03-01, eliminated 2020-09-30), MF (H, V3, a
village without registry households, 边缘易致贫户 档外, 9,000, included 2019-06-01, no signal).

Claims (out-of-pocket = total - the four payments): 2020: A 3,000 + B 2,000 = exactly 5,000
(H1: M01); R 6,000 (ME: M01); S, in neither, 20,000 exactly (M01, enrolled at the county
code: counted at county level); T, in neither, 19,999.99 (no). A's claim discharged
2019-12-20 (9,000) comes in the delivery of 2020-01-31: 2019 has no claims delivery, so
M01 is not evaluated for 2019, and the claim is not 2020's. S2's claim discharged
2021-01-03 (40,000) belongs to 2021, a year without a registry.
Enrollment: everyone 正常参保 both years, except E in 2019 (H3: M05 in 2019) and Q in
2020 (MD: M05). Education 2020 only: J (born 2010-01-01, aged 10) has no record (H6: M04).
Dibao: N 在保 on 2019-12-31, 停保 from 2020-06-30 on 2020-12-31: H7 M07 in 2020 (5,500
below the line); 2019 has no 2018 snapshot, so neither M03 nor M07 is evaluated in 2019.

Signals 2020: H1 M01; H2 M03; H6 M02 M04 M06 (its member U's household MC eliminated:
风险消除存疑); H7 M02 M07; MD M02 M05 (monitored); ME M01 (eliminated: 风险消除存疑);
S M01. Signalled 7, monitored 1 (MD): coverage 14.29 %.
Cards 2020: V1 red H8, yellow H1 H2 H7, green H3, blue none (ME is not active); V2 red H5,
yellow H4 (by the roster alone) H6, green none, blue MD; V3 blue MF.
"""

import re
import shutil
import stat
import subprocess
from pathlib import Path

import polars as pl
import pytest

from pipelines.feeds import TABLES
from tests.deliveries import (
    POPULATION_HEADER,
    REGISTRY_HEADER,
    STANDARDS_HEADER,
    deliver,
    make_id,
    table_file,
)
from tests.runner import query, run_pipeline
from tests.test_quality_history import CHROMIUM_FLAGS

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

PROVINCE, CITY, COUNTY, TOWNSHIP = "510000000000", "510100000000", "510101000000", "510101100000"
V1, V2, V3 = "510101100201", "510101100202", "510101100203"

A, B, C, E = (make_id(b, s) for b, s in (("19800101", "011"), ("19820101", "022"),
                                          ("19750101", "031"), ("19700101", "041")))
F, F2, G, U = (make_id(b, s) for b, s in (("19650101", "051"), ("19900101", "062"),
                                           ("19600101", "071"), ("19780101", "081")))
J, N, W = make_id("20100101", "092"), make_id("19720101", "101"), make_id("19680101", "111")
P, Q, R = make_id("19600201", "121"), make_id("19900201", "132"), make_id("19550101", "141")
S, T, S2 = make_id("19500101", "151"), make_id("19500101", "161"), make_id("19500101", "171")
H = make_id("19660101", "181")


ROSTER_NAME = "欧阳监测"  # every roster member's name, found nowhere published


def member(household, id_number, relation, village, income, status="已脱贫", housing="是"):
    return [household, id_number, "某人", relation, "男", "", village, "一般贫困户", "因病",
            "普通劳动力", "非在校生", "健康", income, "2015", status,
            "" if status == "未脱贫" else "2018", housing, "是"]  # fmt: skip


def roster(household, id_number, relation, village, category, income, included, eliminated=""):
    return {"monitor_household_id": household, "id_number": id_number, "name": ROSTER_NAME,
            "relation": relation, "village_code": village, "category": category,
            "main_risk": "因病", "per_capita_income": income, "included_date": included,
            "eliminated_date": eliminated}  # fmt: skip


def claim(claim_id, id_number, discharged, total, basic):
    return [claim_id, id_number, discharged, discharged, total, basic, "0", "0", "0", "是", "H"]


def enrollment(year, persons, area=V1):
    return [[p, "某人", str(year), "城乡居民基本医疗保险", "正常参保", "0", "280", area]
            for p in persons]  # fmt: skip


def headers(table):
    return [c.header for c in TABLES[table].columns]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The county above through `povmon run` (DuckDB) on 2021-02-10: its work folder."""
    raw = tmp_path_factory.mktemp("raw")
    deliver(raw, "population", "2020-03-31", {"p.csv": [
        POPULATION_HEADER,
        *[[PROVINCE, "示范省", "", "省", y, ""] for y in ("2019", "2020")],
        *[[CITY, "甲市", PROVINCE, "市", y, ""] for y in ("2019", "2020")],
        *[[COUNTY, "乙县", CITY, "县", y, ""] for y in ("2019", "2020")],
        *[[TOWNSHIP, "丙镇", COUNTY, "乡", y, ""] for y in ("2019", "2020")],
        *[[V1, "一村", TOWNSHIP, "村", y, "100"] for y in ("2019", "2020")],
        *[[V2, "二村", TOWNSHIP, "村", y, "100"] for y in ("2019", "2020")],
        *[[V3, "三村", TOWNSHIP, "村", y, "100"] for y in ("2019", "2020")],
    ]})  # fmt: skip
    deliver(raw, "standards", "2020-01-15", {"s.csv": [
        STANDARDS_HEADER,
        [PROVINCE, "2019", "3747", "4300", "3.00", ""],
        [PROVINCE, "2020", "4000", "4600", "3.00", "6000"],
    ]})
    deliver(raw, "registry", "2019-12-31", {"r.csv": [
        REGISTRY_HEADER,
        member("H1", A, "户主", V1, "10000"), member("H1", B, "配偶", V1, "10000"),
        member("H2", C, "户主", V1, "10000"), member("H3", E, "户主", V1, "6000"),
        member("H7", N, "户主", V1, "7000"), member("H8", W, "户主", V1, "3000", "未脱贫"),
    ]})
    deliver(raw, "registry", "2020-12-31", {"r.csv": [
        REGISTRY_HEADER,
        member("H1", A, "户主", V1, "8000"), member("H1", B, "配偶", V1, "8000"),
        member("H2", C, "户主", V1, "7000"), member("H3", E, "户主", V1, "6000"),
        member("H7", N, "户主", V1, "5500"), member("H8", W, "户主", V1, "3000", "未脱贫"),
        member("H4", F, "户主", V2, "9000"), member("H4", F2, "子女", V2, "9000"),
        member("H5", G, "户主", V2, "3000", "返贫"),
        member("H6", U, "户主", V2, "5999.99", housing="否"),
        member("H6", J, "子女", V2, "5999.99", housing="否"),
    ]})
    unstable, marginal, sudden = "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"
    deliver(raw, "monitoring", "2020-11-30", {"m.csv": table_file(TABLES["monitoring"], [
        roster("MA", F, "户主", V2, unstable, "9000", "2020-02-01"),
        roster("MZ", W, "户主", V1, unstable, "3000", "2020-02-01"),
    ])})
    deliver(raw, "monitoring", "2020-12-31", {"m.csv": table_file(TABLES["monitoring"], [
        roster("MA", F, "户主", V2, unstable, "9000", "2020-02-01"),
        roster("MB", G, "户主", V2, unstable, "3000", "2019-08-01"),
        roster("MC", U, "户主", V2, unstable, "5999.99", "2019-05-01", "2020-06-30"),
        roster("MD", P, "户主", V2, marginal, "4500", "2020-04-01"),
        roster("MD", Q, "子女", V2, marginal, "4500", "2020-04-01"),
        roster("ME", R, "户主", V1, sudden, "7000", "2020-03-01", "2020-09-30"),
        roster("MF", H, "户主", V3, marginal, "9000", "2019-06-01"),
    ])})
    claims = headers("medical_claims")
    deliver(raw, "medical", "2019-03-31", {"enrollment_1.csv": [
        headers("medical_enrollment"), *enrollment(2019, [A, B, C, N, W])]})
    deliver(raw, "medical", "2020-01-31", {"claims_1.csv": [
        claims, claim("X0", A, "2019-12-20", "10000", "1000")]})
    deliver(raw, "medical", "2020-03-31", {"enrollment_1.csv": [
        headers("medical_enrollment"),
        *enrollment(2020, [A, B, C, E, N, W, F, F2, G, U, J, P, R, T, H]),
        *enrollment(2020, [S], area=COUNTY),
    ]})
    deliver(raw, "medical", "2020-12-31", {"claims_1.csv": [
        claims,
        claim("X1", A, "2020-05-01", "4000", "1000"),
        claim("X2", B, "2020-06-01", "2500", "500"),
        claim("X3", R, "2020-07-01", "8000", "2000"),
        claim("X4", S, "2020-08-01", "30000", "10000"),
        claim("X5", T, "2020-09-01", "29999.99", "10000"),
    ]})
    deliver(raw, "medical", "2021-01-31", {"claims_1.csv": [
        claims, claim("X6", S2, "2021-01-03", "50000", "10000")]})
    deliver(raw, "education", "2020-10-15", {"e.csv": [
        headers("education"), ["S1", F2, "某人", "2020-2021", "中职", "在读", "X", V2, "", ""]]})
    dibao = headers("dibao")
    deliver(raw, "dibao", "2019-12-31", {"d.csv": [
        dibao, ["DB1", N, "某人", N, "农村低保", "300", "2018-01-01", "", "在保", V1]]})
    deliver(raw, "dibao", "2020-12-31", {"d.csv": [
        dibao, ["DB1", N, "某人", N, "农村低保", "300", "2018-01-01", "2020-06-30", "停保", V1]]})
    work = tmp_path_factory.mktemp("work")
    run_pipeline(raw, work, "--run-date", "2021-02-10")
    return work


@pytest.fixture(scope="module")
def marts(built):
    return built / "marts"


def cards(marts, year, area):
    return query(marts, "select card, card_zh, households, persons, households_pct "
                        "from marts.household_cards where year = ? and area_code = ?",
                 [year, area])  # fmt: skip


def signals(marts, year, area):
    return {signal: rest for signal, *rest in query(marts, """
        select signal, households, persons, monitored_households, unmonitored_households
        from marts.risk_signals where year = ? and area_code = ?""", [year, area])}


def summary(marts, year, area):
    return query(marts, """
        select active_households, active_persons, active_unstable_households,
               active_marginal_households, active_sudden_households, included_in_year,
               eliminated_in_year, unmonitored_signalled_households,
               eliminated_but_signalled_households, monitoring_coverage_pct
        from marts.monitoring_summary where year = ? and area_code = ?""", [year, area])[0]


def test_every_registry_household_gets_one_of_three_cards_and_blue_counts_the_active_unregistered(marts):
    assert cards(marts, 2020, V1) == [
        ("red", "红卡（未脱贫户）", 1, 1, 20.0),
        ("yellow", "黄卡（脱贫不稳定户）", 3, 4, 60.0),
        ("green", "绿卡（稳定脱贫户）", 1, 1, 20.0),
        ("blue", "蓝卡（档外边缘户）", 0, 0, None),
    ]
    # H5 is 返贫 and monitored: red; H4 has no signal and is yellow by the roster alone
    assert [row[2:] for row in cards(marts, 2020, V2)] == [
        (1, 1, 33.33), (2, 4, 66.67), (0, 0, 0.0), (1, 2, None)]
    assert [row[2:] for row in cards(marts, 2020, COUNTY)] == [
        (2, 2, 25.0), (5, 8, 62.5), (1, 1, 12.5), (2, 3, None)]
    # MF lives in a village without a registry household: blue there all the same
    assert [row[2:] for row in cards(marts, 2020, V3)] == [
        (0, 0, None), (0, 0, None), (0, 0, None), (1, 1, None)]


def test_a_year_without_a_roster_cards_by_signals_alone(marts):
    # 2019: H3 yellow by M05 (E not insured); H1, H2, H7 green; H8 red
    assert [row[2:] for row in cards(marts, 2019, V1)] == [
        (1, 1, 20.0), (1, 1, 20.0), (3, 4, 60.0), (0, 0, None)]
    assert summary(marts, 2019, COUNTY) == (0, 0, 0, 0, 0, 0, 0, 1, 0, 0.0)


def test_each_signal_at_its_threshold(marts):
    """M01 at exactly 5,000 (H1) and 20,000 (S, at county level only); 19,999.99 (T) does
    not signal; M02 at 5,999.99 signals and at 6,000 (H3) does not; M03 at exactly 30 %."""
    assert signals(marts, 2020, V1) == {
        "M01": [2, 3, 0, 2], "M02": [1, 1, 0, 1], "M03": [1, 1, 0, 1], "M04": [0, 0, 0, 0],
        "M05": [0, 0, 0, 0], "M06": [0, 0, 0, 0], "M07": [1, 1, 0, 1]}
    assert signals(marts, 2020, V2) == {
        "M01": [0, 0, 0, 0], "M02": [2, 4, 1, 1], "M03": [0, 0, 0, 0], "M04": [1, 2, 0, 1],
        "M05": [1, 2, 1, 0], "M06": [1, 2, 0, 1], "M07": [0, 0, 0, 0]}
    assert signals(marts, 2020, COUNTY)["M01"] == [3, 4, 0, 3]
    assert signals(marts, 2020, PROVINCE)["M01"] == [3, 4, 0, 3]


def test_signals_count_only_in_years_their_department_delivered(marts):
    """2019: no claims delivery dated 2019 (A's 2019 claim came in 2020-01-31), no education
    snapshot, no 2018 registry or dibao: only M02, M05 and M06 are evaluated; M05 finds E."""
    assert {s: v for s, v in signals(marts, 2019, V1).items() if v != [0, 0, 0, 0]} == {
        "M05": [1, 1, 0, 1]}


def test_the_roster_against_the_records(marts):
    assert summary(marts, 2020, V1) == (0, 0, 0, 0, 0, 1, 1, 4, 1, 0.0)
    assert summary(marts, 2020, V2) == (3, 4, 2, 1, 0, 2, 1, 1, 1, 50.0)
    # S, a person in neither, is signalled and unmonitored at county level
    assert summary(marts, 2020, COUNTY) == (4, 5, 2, 2, 0, 3, 2, 6, 2, 14.29)


def test_a_superseded_roster_and_a_claim_of_the_next_year_count_nowhere(marts):
    """MZ is only in the 2020-11-30 roster; S2's claim was discharged in 2021, which has no
    registry snapshot, so no mart has a 2021 row."""
    assert query(marts, "select count(*) from marts.monitoring_summary where year = 2021") == [(0,)]
    assert summary(marts, 2020, PROVINCE)[:2] == (4, 5)


def test_no_published_file_report_or_log_holds_an_id_number_or_a_name_from_the_roster(built):
    marts = built / "marts"
    published = [marts / "warehouse.duckdb", *marts.glob("*.parquet"),
                 *(marts / "report").glob("*.html"), *(marts / "quality").glob("*.html"),
                 *(built / "warehouse" / "logs").glob("*.log")]
    assert len(published) > 20
    for path in published:
        content = path.read_bytes()
        for secret in (F, G, U, P, Q, R, S, T, H, ROSTER_NAME):
            assert secret.encode() not in content, (path, secret)


def test_the_visit_list_names_every_member_of_each_unmonitored_signalled_household(built):
    """2020 (the latest year): H1, H2, H6, H7, ME and S are signalled and not monitored; H6
    and ME are 风险消除存疑. S (enrolled at the county) is in the county's folder too."""
    folder = built / "warehouse" / "worklists" / "510101"
    csv = folder / "入户核实清单_2021-02-10.csv"
    assert stat.S_IMODE(csv.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "入户核实清单_2021-02-10.xlsx").stat().st_mode) == 0o600
    table = pl.read_csv(csv, infer_schema=False).with_columns(
        pl.all().str.strip_chars("\t").fill_null(""))
    assert table.columns == ["行政区划代码", "区划名称", "户类别", "户编号", "姓名", "证件号码",
                             "与户主关系", "风险信号", "风险消除存疑", "入户核实结果"]
    assert table.select("行政区划代码", "户编号", "证件号码", "风险消除存疑").rows() == [
        (COUNTY, S, S, ""), (V1, "H1", A, ""), (V1, "H1", B, ""), (V1, "H2", C, ""),
        (V1, "H7", N, ""), (V1, "ME", R, "是"), (V2, "H6", U, "是"), (V2, "H6", J, "是")]
    signals = dict(table.select("户编号", "风险信号").unique(maintain_order=True).rows())
    assert signals == {
        "H1": "M01 2020年住院自付合计5,000.00元",
        "H2": "M03 人均纯收入由上年10,000.00元降至7,000.00元",
        "H7": "M02 人均纯收入5,500.00元，低于监测标准6,000.00元；"
              "M07 1名成员上年在保、今年退出低保，人均纯收入5,500.00元低于监测标准",
        "ME": "M01 2020年住院自付合计6,000.00元",
        "H6": "M02 人均纯收入5,999.99元，低于监测标准6,000.00元；"
              "M04 1名义务教育阶段成员无在读或休学记录；M06 住房不安全",
        S: "M01 2020年住院自付20,000.00元（非建档立卡、非监测对象）",
    }
    assert set(table["入户核实结果"]) == {""}  # for the cadre to fill in


def test_the_indicator_report_shows_the_cards_signals_and_coverage_in_chromium(marts, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by scripts/test.sh"
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path}", "--virtual-time-budget=5000",
         "--dump-dom", (marts / "report" / "index.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    assert "八、防返贫监测（2020年）" in dom
    for chart_id in ("chart-household-cards", "chart-monitoring-coverage"):
        tag = re.search(rf'<svg[^>]*id="{chart_id}"[^>]*>', dom).group(0)
        assert int(re.search(r'data-marks="(\d+)"', tag).group(1)) > 0, tag
    cards = re.search(r'<table id="household-cards">.*?</table>', dom, re.S).group(0)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", cards, re.S)]
    assert ["乙县", COUNTY, "2", "5", "1", "2"] in rows  # red, yellow, green, blue
    signals = re.search(r'<table id="risk-signals">.*?</table>', dom, re.S).group(0)
    assert "M01 因病 大额医疗自付" in signals and "3（3）" in signals
    summary = re.search(r'<table id="monitoring-summary">.*?</table>', dom, re.S).group(0)
    assert "14.29%" in summary
    for id_number in (A, R, S):
        assert id_number not in dom


def test_the_queries_of_the_querying_docs_run_on_the_marts_as_written(marts):
    docs = (Path(__file__).parents[1] / "docs" / "querying.md").read_text(encoding="utf-8")
    opening = "One query for each relapse-prevention mart (防返贫监测):\n\n```sql\n"
    start = docs.index(opening) + len(opening)
    statements = [s for s in docs[start:docs.index("```", start)].split(";") if s.strip()]
    cards, signals, coverage = (query(marts, statement) for statement in statements)
    assert [row[1:4] for row in cards] == [  # by card: blue, green, red, yellow
        ("蓝卡（档外边缘户）", 2, 3), ("绿卡（稳定脱贫户）", 1, 1), ("红卡（未脱贫户）", 2, 2),
        ("黄卡（脱贫不稳定户）", 5, 8)]
    assert [row[1] for row in signals] == ["M01", "M02", "M03", "M04", "M06", "M07"]
    assert coverage == [("乙县", 4, 6, 2, 14.29)]
