"""Quality rules R01-R17 on a hand-built county: each rule flags exactly the records its
case plants, and not the near misses planted beside them (listed per rule below).

乙县 (510101), one township, villages V1 and V2 (V9 = 510101100299 is not a village).
Standards 2020: poverty line 4,000; dibao line 4,600 (province), 5,000 in 乙县.
Snapshots: registry, dibao, medical, funds 2020-12-31; education 2020-10-15.

Planted (flagged)                                  Near misses (not flagged)
R01 H02 head's ID has a wrong check character:     every other ID is valid
    registry row, its enrollment, and DB23's
    row whose 户主证件号码 is malformed
R02 H03 出生日期 1980-02-10, ID says 1980-01-01     everyone else's dates agree
R03 H04 ID's sex digit odd (男), 性别 女            everyone else's sexes agree
R04 DUP in H05 and H06: both rows                  everyone else in one household
R05 H07's village V9; DB10's village V9;            V1/V2 everywhere else
    E5's school area 510101100298
R06 H08 低保贫困户, nobody on the dibao roll        H10 低保贫困户 with a covered member
R07 G7 covered by dibao in 一般贫困户 H11           covered persons of 低保 households
R08 N8 暂停参保; N8B no enrollment at all           everyone else 正常参保 for 2020
R09 C9 aged 10, no school record                   S16 exactly 16 on 2020-08-31, no record;
                                                   L16 休学 counts as attending
R10 T10 高中 but no 在读 record;                    K 小学 and 在读; adults 非在校生 without
    T10B 非在校生 but 在读 (中职)                    records; L16 非在校生 and 休学
R11 X1 negative 医疗救助; X2 paid > total;          X4 paid exactly = total
    X3 discharged before admitted
R12 P1 disbursed falls 2020-06 → 12;                P2 2020-12 spent = disbursed; P4 clean
    P2 2020-06 disbursed > allocated;
    P3 2020-12 spent > disbursed
R13 H13 已脱贫 no 脱贫年度; H14 未脱贫 with one;     H17 已脱贫 2020 (= snapshot year);
    H15 脱贫年度 2021; H16 脱贫年度 2014 < 识别 2015    H24 返贫 with its 脱贫年度
R14 H18 已脱贫 with income 3,999.99                 H17 已脱贫 with income exactly 4,000
R15 H19 covered, income 10,000.01 > 2 x 5,000:     H10 covered, income exactly 10,000
    both members
R16 L16 休学 with aid 500                           K 在读 with aid
R17 H20 no 户主; H21 two 户主                       every other household has one
"""

import hashlib
import hmac
import os
import stat
from pathlib import Path

import polars as pl
import pytest

from pipelines.feeds import TABLES
from tests.deliveries import POPULATION_HEADER, REGISTRY_HEADER, STANDARDS_HEADER, deliver, make_id
from tests.runner import TEST_PSEUDONYM_KEY, query, run_pipeline

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

V1, V2, V9, TOWNSHIP, COUNTY = (
    "510101100201", "510101100202", "510101100299", "510101100000", "510101000000")

A, K, C9, S16 = (make_id("19800101", "011"), make_id("20100501", "021"),
                 make_id("20100601", "031"), make_id("20040831", "041"))
L16, T10, T10B, E5 = (make_id("20090301", "051"), make_id("20030101", "061"),
                      make_id("20000101", "071"), make_id("20120101", "081"))
R1BAD = make_id("19700101", "091")[:17] + ("0" if make_id("19700101", "091")[17] != "0" else "1")
B2, B3, DUP, DUP5, DUP6 = (make_id("19800101", "101"), make_id("19810101", "111"),
                           make_id("19820101", "121"), make_id("19830101", "131"),
                           make_id("19840101", "141"))
P7, H8A, P10, P10B, G7 = (make_id("19850101", "151"), make_id("19860101", "161"),
                          make_id("19870101", "171"), make_id("19880101", "181"),
                          make_id("19890101", "191"))
N8, N8B, P13, P14, P15 = (make_id("19900101", "201"), make_id("19910101", "211"),
                          make_id("19920101", "221"), make_id("19930101", "231"),
                          make_id("19940101", "241"))
P16, P17, P18, F19A, F19B = (make_id("19950101", "251"), make_id("19960101", "261"),
                             make_id("19970101", "271"), make_id("19980101", "281"),
                             make_id("19990101", "291"))
P20, P21A, P21B, Q23, P24 = (make_id("19600101", "301"), make_id("19610101", "311"),
                             make_id("19620101", "321"), make_id("19630101", "331"),
                             make_id("19640101", "341"))
NAMES: dict[str, str] = {}


def name_of(id_number: str) -> str:
    """A unique name per person, so the privacy test can look for every one of them."""
    return NAMES.setdefault(id_number, f"测试{chr(0x4E00 + len(NAMES))}某")


def row(household: str, id_number: str, relation: str, *, village: str = V1,
        kind: str = "一般贫困户", school: str = "非在校生", income: str = "3000",
        status: str = "未脱贫", exit_year: str = "", birth: str | None = None,
        sex: str | None = None) -> list[str]:  # fmt: skip
    id_birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    id_sex = "男" if int(id_number[16]) % 2 else "女"
    return [household, id_number, name_of(id_number), relation, sex or id_sex, birth or id_birth,
            village, kind, "因病", "普通劳动力", school, "健康", income, "2015", status, exit_year,
            "是", "是"]  # fmt: skip


REGISTRY = [
    row("H01", A, "户主"), row("H01", K, "子女", school="小学"), row("H01", C9, "子女"),
    row("H01", S16, "子女"), row("H01", L16, "子女"), row("H01", T10, "子女", school="高中"),
    row("H01", T10B, "子女"), row("H01", E5, "子女", school="小学"),
    row("H02", R1BAD, "户主"),
    row("H03", B2, "户主", birth="1980-02-10"),
    row("H04", B3, "户主", sex="女"),
    row("H05", DUP5, "户主"), row("H05", DUP, "配偶"),
    row("H06", DUP6, "户主"), row("H06", DUP, "其他"),
    row("H07", P7, "户主", village=V9),
    row("H08", H8A, "户主", kind="低保贫困户"),
    row("H10", P10, "户主", kind="低保贫困户", income="10000"),
    row("H10", P10B, "配偶", kind="低保贫困户", income="10000"),
    row("H11", G7, "户主"),
    row("H12", N8, "户主"), row("H12", N8B, "配偶"),
    row("H13", P13, "户主", status="已脱贫", income="4000"),
    row("H14", P14, "户主", exit_year="2019"),
    row("H15", P15, "户主", status="已脱贫", exit_year="2021", income="4000"),
    row("H16", P16, "户主", status="已脱贫", exit_year="2014", income="4000"),
    row("H17", P17, "户主", status="已脱贫", exit_year="2020", income="4000"),
    row("H18", P18, "户主", status="已脱贫", exit_year="2019", income="3999.99"),
    row("H19", F19A, "户主", kind="低保贫困户", income="10000.01"),
    row("H19", F19B, "配偶", kind="低保贫困户", income="10000.01"),
    row("H20", P20, "其他"),
    row("H21", P21A, "户主"), row("H21", P21B, "户主"),
    row("H23", Q23, "户主", kind="低保贫困户"),
    row("H24", P24, "户主", status="返贫", exit_year="2018"),
]
PERSONS = sorted({r[1] for r in REGISTRY})


def person_key(id_number: str) -> str:
    return hmac.new(TEST_PSEUDONYM_KEY.encode(), id_number.encode(), hashlib.sha256).hexdigest()[:16]


def headers(table: str) -> list[str]:
    return [c.header for c in TABLES[table].columns]


def dibao(certificate: str, id_number: str, head: str, village: str = V1) -> list[str]:
    return [certificate, id_number, name_of(id_number), head, "农村低保", "300", "2019-01-01", "",
            "在保", village]  # fmt: skip


def claim(claim_id: str, admit: str, discharge: str, total: str, paid: list[str]) -> list[str]:
    return [claim_id, A, admit, discharge, total, *paid, "是", "H"]


def fund(project: str, period: str, allocated: str, disbursed: str, spent: str) -> list[str]:
    return [project, "项目", COUNTY, "中央", "产业发展", "2020", period, allocated, disbursed, spent]


def school(student: str, id_number: str, stage: str, status: str, aid: str = "",
           area: str = V1) -> list[str]:  # fmt: skip
    return [student, id_number, name_of(id_number), "2020-2021", stage, status, "X", area,
            "资助" if aid else "", aid]  # fmt: skip


def deliver_county(raw: Path, registry: list[list[str]] = REGISTRY) -> None:
    """Every feed of the county above (the registry rows may be replaced)."""
    deliver(raw, "population", "2020-12-31", {"p.csv": [
        POPULATION_HEADER,
        ["510000000000", "示范省", "", "省", "2020", ""],
        ["510100000000", "甲市", "510000000000", "市", "2020", ""],
        [COUNTY, "乙县", "510100000000", "县", "2020", ""],
        [TOWNSHIP, "丙镇", COUNTY, "乡", "2020", ""],
        [V1, "一村", TOWNSHIP, "村", "2020", "1000"],
        [V2, "二村", TOWNSHIP, "村", "2020", "500"],
    ]})  # fmt: skip
    deliver(raw, "standards", "2020-01-15", {"s.csv": [
        STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3.00", ""],
        [COUNTY, "2020", "4000", "5000", "3.00", ""]]})
    deliver(raw, "registry", "2020-12-31", {"r.csv": [REGISTRY_HEADER, *registry]})
    insured = [p for p in PERSONS if p not in (N8, N8B)]
    deliver(raw, "medical", "2020-12-31", {
        "enrollment.csv": [headers("medical_enrollment"),
                           *[[p, name_of(p), "2020", "城乡居民基本医疗保险", "正常参保", "0", "280", V1]
                             for p in insured],
                           [N8, name_of(N8), "2020", "城乡居民基本医疗保险", "暂停参保", "0", "280", V1]],
        "claims.csv": [headers("medical_claims"),
                       claim("X1", "2020-03-01", "2020-03-05", "1000", ["600", "0", "-100", "0"]),
                       claim("X2", "2020-04-01", "2020-04-05", "1000", ["600", "0", "100", "300.01"]),
                       claim("X3", "2020-05-10", "2020-05-01", "1000", ["600", "0", "100", "0"]),
                       claim("X4", "2020-06-01", "2020-06-05", "1000", ["600", "0", "100", "300"])],
    })  # fmt: skip
    deliver(raw, "dibao", "2020-12-31", {"d.csv": [
        headers("dibao"),
        dibao("DB10", P10, P10, village=V9), dibao("DB10", P10B, P10, village=V9),
        dibao("DB11", G7, G7),
        dibao("DB19", F19A, F19A), dibao("DB19", F19B, F19A),
        dibao("DB23", Q23, "51010119630101331"),
    ]})  # fmt: skip
    deliver(raw, "education", "2020-10-15", {"e.csv": [
        headers("education"),
        school("S1", K, "小学", "在读", aid="800"),
        school("S2", L16, "小学", "休学", aid="500"),
        school("S3", T10B, "中职", "在读"),
        school("S4", E5, "小学", "在读", aid="800", area="510101100298"),
    ]})  # fmt: skip
    deliver(raw, "funds", "2020-12-31", {"f.csv": [
        headers("funds"),
        fund("P1", "2020-06", "100", "60", "50"), fund("P1", "2020-12", "100", "55", "50"),
        fund("P2", "2020-06", "50", "60", "10"), fund("P2", "2020-12", "70", "60", "60"),
        fund("P3", "2020-12", "100", "80", "81"),
        fund("P4", "2020-06", "100", "40", "30"), fund("P4", "2020-12", "100", "90", "85"),
    ]})  # fmt: skip


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    deliver_county(raw)
    work = tmp_path_factory.mktemp("work")
    previous = os.umask(0o022)  # the usual umask: files 0644 and folders 0755 unless made private
    try:
        run_pipeline(raw, work, "--run-date", "2026-11-22")
    finally:
        os.umask(previous)
    return work / "marts"


def flagged(rule: str, feed: str, record: str, person: str | None = None) -> tuple:
    return (rule, feed, record, person_key(person) if person else None)


EXPECTED = {
    "R01": {flagged("R01", "registry", "H02", R1BAD),
            flagged("R01", "medical", f"{person_key(R1BAD)}|2020", R1BAD),
            flagged("R01", "dibao", "DB23", Q23)},
    "R02": {flagged("R02", "registry", "H03", B2)},
    "R03": {flagged("R03", "registry", "H04", B3)},
    "R04": {flagged("R04", "registry", "H05", DUP), flagged("R04", "registry", "H06", DUP)},
    "R05": {flagged("R05", "registry", "H07"), flagged("R05", "dibao", "DB10"),
            flagged("R05", "education", f"{person_key(E5)}|2020", E5)},
    "R06": {flagged("R06", "registry", "H08")},
    "R07": {flagged("R07", "registry", "H11", G7)},
    "R08": {flagged("R08", "registry", "H12", N8), flagged("R08", "registry", "H12", N8B)},
    "R09": {flagged("R09", "registry", "H01", C9)},
    "R10": {flagged("R10", "registry", "H01", T10), flagged("R10", "registry", "H01", T10B)},
    "R11": {flagged("R11", "medical", c, A) for c in ("X1", "X2", "X3")},
    "R12": {flagged("R12", "funds", k) for k in ("P1|2020-12", "P2|2020-06", "P3|2020-12")},
    "R13": {flagged("R13", "registry", h) for h in ("H13", "H14", "H15", "H16")},
    "R14": {flagged("R14", "registry", "H18")},
    "R15": {flagged("R15", "registry", "H19", F19A), flagged("R15", "registry", "H19", F19B)},
    "R16": {flagged("R16", "education", f"{person_key(L16)}|2020", L16)},
    "R17": {flagged("R17", "registry", "H20"), flagged("R17", "registry", "H21")},
}
SEVERITY = {"R02": "warning", "R03": "warning", "R07": "warning", "R10": "warning",
            "R14": "warning", "R15": "warning", "R16": "warning"}  # fmt: skip


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_flags_exactly_its_planted_records(marts, rule):
    got = query(marts, "select rule_id, feed, record_key, person_key, severity "
                       "from marts.quality_flags where rule_id = ?", [rule])
    assert {g[:4] for g in got} == EXPECTED[rule]
    assert {g[4] for g in got} == {SEVERITY.get(rule, "error")}


def test_published_details_say_which_fields_conflict_without_dates_or_id_digits(marts):
    details = dict(query(marts, "select record_key || ' ' || rule_id, detail from marts.quality_flags"))
    assert details["H03 R02"] == "出生日期与证件号码不一致（相差 40 天）"
    assert details["H04 R03"] == "证件号码性别位为男，性别填报为女"
    assert details["H06 R04"] == "同一证件号码出现在2户（统计计入户编号最小的一户）"
    assert details["H07 R05"] == "行政区划代码（见 area_code）不是最新人口数据中的村级区划"
    assert details["H18 R14"] == "已脱贫，但家庭人均纯收入3,999.99元低于扶贫标准4,000.00元"
    assert details["X2 R11"] == "各项支付合计1,000.01元超过医疗总费用1,000.00元"
    assert details["P1|2020-12 R12"] == "累计拨付金额从2020-06的60.00万元降至55.00万元"
    assert details["H21 R17"] == "户内有2名户主（应为1名），共2人"
    assert details["DB23 R01"] == "户主证件号码不是18位（17位数字加校验码）：17个字符"
    assert details["H02 R01"] == "证件号码校验码有误"


def test_the_restricted_worklist_keeps_the_full_details(marts):
    details = dict(query(marts.parent / "warehouse", """
        select record_key || ' ' || rule_id, detail from restricted.quality_worklist""",
        database="warehouse.duckdb"))
    assert details["H03 R02"] == "证件号码中的出生日期1980-01-01与出生日期1980-02-10不一致"
    assert details["H06 R04"] == "同一证件号码出现在2户：H05、H06（统计计入H05）"
    assert details["H07 R05"] == "行政区划代码510101100299不是最新人口数据中的村级区划"
    assert details["H02 R01"] == f"证件号码校验码应为{make_id('19700101', '091')[17]}，实为{R1BAD[17]}"


def test_summary_counts_checked_and_flagged_records_per_rule(marts):
    rows = query(marts, "select rule_id, feed, county_code, checked_records, flagged_records, "
                        "flag_rate_pct from marts.quality_summary where rule_id in ('R09', 'R17')")
    # R09 checks the persons aged 6-15 on 2020-08-31: K, C9, L16, E5 (S16 has turned 16)
    # R17 checks every household: 22 of them
    assert sorted(rows) == [("R09", "registry", COUNTY, 4, 1, 25.0),
                            ("R17", "registry", COUNTY, 22, 2, 9.09)]


def test_restricted_worklist_has_the_id_numbers_and_names_the_marts_do_not(marts):
    county = marts.parent / "warehouse" / "worklists" / "510101"
    [csv] = county.glob("*_问题清单_*.csv")
    assert csv.name == "510101_问题清单_2026-11-22.csv"
    text = csv.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("行政区划代码,区划名称,姓名,证件号码,规则编号,问题类型")
    assert B2 in text and name_of(B2) in text
    assert len(text.splitlines()) == 1 + sum(len(v) for v in EXPECTED.values())
    xlsx = county / csv.name.replace(".csv", ".xlsx")
    sheets = pl.read_excel(xlsx, sheet_id=0)
    assert list(sheets) == ["问题清单", "报送文件问题"]
    listed = sheets["问题清单"]  # the CSV's rows, the same Chinese headers
    assert listed.columns == text.splitlines()[0].split(",")
    assert listed.height == len(text.splitlines()) - 1 and B2 in listed["证件号码"].to_list()
    published = "".join(str(r) for r in query(marts, "select * from marts.quality_flags"))
    assert B2 not in published and name_of(B2) not in published


def test_restricted_store_and_worklists_are_owner_only_whatever_the_umask(marts):
    """pytest runs with umask 022: without care, folders would be 0755 and files 0644."""
    warehouse = marts.parent / "warehouse"
    county = warehouse / "worklists" / "510101"
    modes = {p.relative_to(warehouse).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in (warehouse, warehouse / "warehouse.duckdb", warehouse / "worklists", county,
                       *county.iterdir())}
    assert modes == {
        ".": 0o700, "warehouse.duckdb": 0o600, "worklists": 0o700, "worklists/510101": 0o700,
        "worklists/510101/510101_问题清单_2026-11-22.csv": 0o600,
        "worklists/510101/510101_问题清单_2026-11-22.xlsx": 0o600,
        "worklists/510101/入户核实清单_2026-11-22.csv": 0o600,
        "worklists/510101/入户核实清单_2026-11-22.xlsx": 0o600,
    }
    assert stat.S_IMODE(marts.stat().st_mode) & 0o044 == 0o044  # published marts stay readable
