"""Snapshots are per table: a claims-only medical delivery leaves the enrollment snapshot as
it was (feeds.md "Delivery layout", marts.md "Common rules").

The pattern 医保局 really sends: the 2019 enrollment roster on 2019-03-31 (with the first
claims), then claims only on 2019-07-31 and 2019-11-30. The latest medical delivery of
2019 is November's, which holds no enrollment file.

Village V1 of 乙县; registry 2019-12-31:
  H1: A 户主, B 配偶        H2: C 户主
Enrollment 2019 (2019-03-31): A 正常参保, B 正常参保, C 暂停参保.
Claims: X1 (A) in the March delivery, X2 (B) in July, X3 (C) in November, each 1,000
  cost, 850 reimbursed, in county.

By hand:
  medical_insurance  eligible 3, covered 2 (A, B), 66.67 % (0 % if November's delivery
                     were the enrollment snapshot)
  health deprivation H2 only (C is not 正常参保): 1 of 3 persons, 33.33 %
  R08                exactly one flag: C, household H2, 2019 (3 if November counted)
  reimbursement      all three claims: 3,000 cost, 2,550 reimbursed, 85 %
"""

import pytest

from pipelines.feeds import TABLES
from tests.deliveries import POPULATION_HEADER, REGISTRY_HEADER, STANDARDS_HEADER, deliver, make_id
from tests.runner import query, run_pipeline

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

V1, TOWNSHIP = "510101100201", "510101100000"
A, B, C = make_id("19800101", "011"), make_id("19820101", "022"), make_id("19700101", "031")


def headers(table: str) -> list[str]:
    return [c.header for c in TABLES[table].columns]


def member(household: str, id_number: str, relation: str) -> list[str]:
    return [household, id_number, "某人", relation, "男", "", V1, "一般贫困户", "因病",
            "普通劳动力", "非在校生", "健康", "6000", "2015", "未脱贫", "", "是", "是"]  # fmt: skip


def claim(claim_id: str, id_number: str, month: str) -> list[str]:
    return [claim_id, id_number, f"2019-{month}-01", f"2019-{month}-05", "1000", "600", "100",
            "50", "100", "是", "H"]  # fmt: skip


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    deliver(raw, "population", "2019-12-31", {"p.csv": [
        POPULATION_HEADER,
        ["510000000000", "示范省", "", "省", "2019", ""],
        ["510100000000", "甲市", "510000000000", "市", "2019", ""],
        ["510101000000", "乙县", "510100000000", "县", "2019", ""],
        [TOWNSHIP, "丙镇", "510101000000", "乡", "2019", ""],
        [V1, "一村", TOWNSHIP, "村", "2019", "100"],
    ]})
    deliver(raw, "standards", "2019-01-15", {"s.csv": [
        STANDARDS_HEADER, ["510000000000", "2019", "3750", "4200", "3.00", ""]]})
    deliver(raw, "registry", "2019-12-31", {"r.csv": [
        REGISTRY_HEADER, member("H1", A, "户主"), member("H1", B, "配偶"), member("H2", C, "户主")]})
    deliver(raw, "medical", "2019-03-31", {
        "enrollment_510101.csv": [
            headers("medical_enrollment"),
            *[[p, "某人", "2019", "城乡居民基本医疗保险", status, "0", "220", V1]
              for p, status in ((A, "正常参保"), (B, "正常参保"), (C, "暂停参保"))],
        ],
        "claims_201903.csv": [headers("medical_claims"), claim("X1", A, "03")],
    })
    deliver(raw, "medical", "2019-07-31", {
        "claims_201907.csv": [headers("medical_claims"), claim("X2", B, "07")]})
    deliver(raw, "medical", "2019-11-30", {
        "claims_201911.csv": [headers("medical_claims"), claim("X3", C, "11")]})
    work = tmp_path_factory.mktemp("work")
    run_pipeline(raw, work)
    return work / "marts"


def test_claims_only_deliveries_leave_the_march_enrollment_as_the_snapshot(marts):
    assert query(marts, f"""
        select eligible_persons, covered_persons, coverage_pct from marts.program_coverage
        where year = 2019 and area_code = '{V1}' and program = 'medical_insurance'""") == [
        (3, 2, 66.67)]


def test_only_the_unenrolled_household_is_deprived_in_health(marts):
    assert query(marts, f"""
        select persons, deprived_health_pct from marts.multidimensional_poverty
        where year = 2019 and area_code = '{V1}'""") == [(3, 33.33)]


def test_r08_flags_only_the_person_without_a_normal_enrollment(marts):
    assert query(marts, """
        select record_key, delivery_date::varchar, detail from marts.quality_flags
        where rule_id = 'R08'""") == [
        ("H2", "2019-12-31", "2019年无正常参保记录（医保参保状态为暂停参保）")]


def test_claims_of_every_delivery_count_in_reimbursement(marts):
    assert query(marts, f"""
        select claims, total_cost::varchar, reimbursed::varchar, reimbursement_pct
        from marts.medical_reimbursement
        where year = 2019 and area_code = '{V1}' and in_county""") == [
        (3, "3000.00", "2550.00", 85.0)]


def test_reconciliation_names_the_table_of_every_medical_file(marts):
    assert query(marts, """
        select delivery_date::varchar, file, table_name from marts.ingest_reconciliation
        where feed = 'medical' order by delivery_date, file""") == [
        ("2019-03-31", "claims_201903.csv", "medical_claims"),
        ("2019-03-31", "enrollment_510101.csv", "medical_enrollment"),
        ("2019-07-31", "claims_201907.csv", "medical_claims"),
        ("2019-11-30", "claims_201911.csv", "medical_claims"),
    ]
