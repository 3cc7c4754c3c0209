"""program_coverage, medical_reimbursement, fund_execution and multidimensional_poverty on a
province small enough to work out by hand.

Areas as in test_poverty_incidence: villages V1 and V2 in township 丙镇 of county 510101.
Standards 2020: province poverty 4000 / dibao 4600; the county's own row 4000 / 5000.

Registry 2020-12-31 (ages on 2020-08-31 from the ID numbers):
  H1 V1 income 3000, housing 否, water 是:  A 户主, B 配偶, K 子女 (10)
  H2 V1 income 6000, housing 是, water 是:  C 户主, D 子女 (born 2014-08-31: exactly 6)
  H3 V2 income 4800, housing 是, water 否:  E 户主, L 子女 (born 2004-09-01: 15),
                                            M 子女 (born 2004-08-31: exactly 16)
Medical 2020-12-31 enrollment for 2020: A K C D L M 正常参保, B 暂停参保, E none.
Dibao 2020-12-31 (D = 2020-12-31): A 在保 since 2019; B 在保 from 2021-01-01 (after D);
  E 在保 but ended 2020-12-31 (end = D is not covered); K 停保.
Education 2020-10-15, school year 2020-2021: K 在读 no aid, D 辍学, L 休学, M 在读 aid 1,250.

By hand (V1 | V2 | 丙镇):
  medical_insurance     eligible 5|3|8   covered 4 (A K C D) | 2 (L M) | 6
  dibao (income < 5000, the county line; H3's 4800 is above the province's 4600)
                        eligible 3 (A B K) | 3 (E L M) | 6   covered 1 (A) | 0 | 1
  compulsory_education  eligible K D | L   covered K | L        -> 2/1 | 1/1 | 3/2
  education_aid         eligible K | M     covered - | M        -> 1/0 | 1/1 | 2/1
Multidimensional (poverty line 4000, k = 0.4):
  H1: income, health (B), housing -> 0.6 poor;  H2: education (D) -> 0.2;
  H3: health (E), water -> 0.4 poor (exactly k).
  V1: 5 persons, 3 poor, H 0.6, A 0.6, M0 0.36; V2: 3, 3, H 1, A 0.4, M0 0.4;
  丙镇: 8, 6, H 0.75, A (3 x 0.6 + 3 x 0.4) / 6 = 0.5, M0 0.375.
  Decomposition (censored = MPI-poor and deprived; contribution = 100 x 0.2 x censored /
  sum of the poor's scores):
    V1 (scores 3 x 0.6 = 1.8): uncensored income, health, housing 60 %, education 40 %
       (H2, not poor), water 0; censored 60/0/60/60/0; contributions 33.33 for income,
       health and housing each (they add up to 99.99, within rounding), 0 for the others.
    丙镇 (scores 1.8 + 1.2 = 3.0): censored income 3, health 6 (B's and E's households),
       housing 3, water 3 -> contributions 20, 40, 20, 20 and education 0: health drives M0.
  Cutoff sensitivity, V1: k 0.2 -> H1 and H2 poor: 5, H 1, A (1.8 + 0.4) / 5 = 0.44,
    M0 0.44; k 0.4 and 0.6 (H1's 0.6 is exactly k) -> 3, 0.6, 0.6, 0.36; k 0.8, 1.0 -> 0,
    0, A NULL, 0. V2: k 0.2, 0.4 -> 3, 1, 0.4, 0.4 (H3 at exactly k); k >= 0.6 -> nobody.
Claims: X1 (A, in county) 1000 paid 800 in the 06-30 delivery, corrected to 900 on
  12-31; X2 (E, out of county) 2000 paid 1600 = 80 % (exactly the target); X3 (C)
  discharged in 2019; X4 of a person not in the registry.
Funds (county 510101; the 06-30 delivery is superseded by 12-31):
  P1 中央 100: 06 disbursed 60 spent 50, 12 disbursed 100 spent 92
  P2 县级  50: 06 disbursed 20 spent 10, 12 disbursed 50 spent 40
  -> 全部 12: 150 / 150 / 132 = 88 % < 90;  中央 12: 92 %;  县级 12: 80 %;  全部 06: 40 %.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from pipelines.core.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings
from pipelines.feeds import TABLES
from tests.deliveries import POPULATION_HEADER, REGISTRY_HEADER, STANDARDS_HEADER, deliver, make_id
from tests.runner import TEST_PSEUDONYM_KEY, build_again_on_spark, povmon, query, run_pipeline

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

V1, V2, TOWNSHIP = "510101100201", "510101100202", "510101100000"


A, B, K = make_id("19800101", "011"), make_id("19820101", "022"), make_id("20100501", "031")
C, D = make_id("19750101", "041"), make_id("20140831", "052")
E, L, M = make_id("19700101", "061"), make_id("20040901", "072"), make_id("20040831", "081")
STRANGER = make_id("19600101", "091")


def member(household, id_number, relation, village, income, housing, water, status="未脱贫",
           exit_year=""):  # fmt: skip
    return [household, id_number, "某人", relation, "男", "", village, "一般贫困户", "因病",
            "普通劳动力", "非在校生", "健康", income, "2015", status, exit_year, housing, water]  # fmt: skip


def headers(table: str) -> list[str]:
    return [c.header for c in TABLES[table].columns]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The province above through `povmon run` (DuckDB): its deliveries and work folder."""
    raw = tmp_path_factory.mktemp("raw")
    deliver(raw, "population", "2020-12-31", {"p.csv": [
        POPULATION_HEADER,
        ["510000000000", "示范省", "", "省", "2020", ""],
        ["510100000000", "甲市", "510000000000", "市", "2020", ""],
        ["510101000000", "乙县", "510100000000", "县", "2020", ""],
        [TOWNSHIP, "丙镇", "510101000000", "乡", "2020", ""],
        [V1, "一村", TOWNSHIP, "村", "2020", "100"],
        [V2, "二村", TOWNSHIP, "村", "2020", "50"],
    ]})
    deliver(raw, "standards", "2020-01-15", {"s.csv": [
        STANDARDS_HEADER,
        ["510000000000", "2020", "4000", "4600", "3.00", ""],
        ["510101000000", "2020", "4000", "5000", "2.00", ""],
    ]})
    deliver(raw, "registry", "2020-12-31", {"r.csv": [
        REGISTRY_HEADER,
        member("H1", A, "户主", V1, "3000", "否", "是"),
        member("H1", B, "配偶", V1, "3000", "否", "是"),
        member("H1", K, "子女", V1, "3000", "否", "是"),
        member("H2", C, "户主", V1, "6000", "是", "是", "已脱贫", "2020"),
        member("H2", D, "子女", V1, "6000", "是", "是", "已脱贫", "2020"),
        member("H3", E, "户主", V2, "4800", "是", "否", "返贫", "2018"),
        member("H3", L, "子女", V2, "4800", "是", "否", "返贫", "2018"),
        member("H3", M, "子女", V2, "4800", "是", "否", "返贫", "2018"),
    ]})
    enrolled = [[p, "某人", "2020", "城乡居民基本医疗保险", "正常参保", "0", "280", V1]
                for p in (A, K, C, D, L, M)]  # fmt: skip
    claim = headers("medical_claims")
    deliver(raw, "medical", "2020-06-30", {"claims_1.csv": [
        claim, ["X1", A, "2020-03-01", "2020-03-05", "1000", "600", "0", "100", "100", "是", "H"]]})
    deliver(raw, "medical", "2020-12-31", {
        "enrollment_1.csv": [
            headers("medical_enrollment"), *enrolled,
            [B, "某人", "2020", "城乡居民基本医疗保险", "暂停参保", "0", "280", V1],
            [E, "某人", "2019", "城乡居民基本医疗保险", "正常参保", "0", "280", V2],
        ],
        "claims_1.csv": [
            claim,
            ["X1", A, "2020-03-01", "2020-03-05", "1000", "600", "0", "100", "200", "是", "H"],
            ["X2", E, "2020-10-20", "2020-11-02", "2000", "1000", "200", "100", "300", "否", "H"],
            ["X3", C, "2019-12-20", "2019-12-30", "500", "400", "0", "0", "0", "是", "H"],
            ["X4", STRANGER, "2020-05-01", "2020-05-03", "700", "600", "0", "0", "0", "是", "H"],
        ],
    })
    dibao = headers("dibao")
    deliver(raw, "dibao", "2020-12-31", {"d.csv": [
        dibao,
        ["DB1", A, "某人", A, "农村低保", "300", "2019-01-01", "", "在保", V1],
        ["DB1", B, "某人", A, "农村低保", "300", "2021-01-01", "", "在保", V1],
        ["DB1", K, "某人", A, "农村低保", "300", "2019-01-01", "2020-06-30", "停保", V1],
        ["DB3", E, "某人", E, "农村低保", "300", "2018-01-01", "2020-12-31", "在保", V2],
    ]})
    deliver(raw, "education", "2020-10-15", {"e.csv": [
        headers("education"),
        ["S1", K, "某人", "2020-2021", "小学", "在读", "X", V1, "", ""],
        ["S0", K, "某人", "2019-2020", "小学", "在读", "X", V1, "营养改善计划", "800"],
        ["S2", D, "某人", "2020-2021", "小学", "辍学", "X", V1, "", ""],
        ["S3", L, "某人", "2020-2021", "初中", "休学", "X", V2, "", ""],
        ["S4", M, "某人", "2020-2021", "高中", "在读", "X", V2, "国家助学金", "1,250.00"],
    ]})
    fund = headers("funds")
    deliver(raw, "funds", "2020-06-30", {"f.csv": [
        fund, ["P1", "项目1", "510101000000", "中央", "产业发展", "2020", "2020-06", "100", "10", "5"]]})
    deliver(raw, "funds", "2020-12-31", {"f.csv": [
        fund,
        ["P1", "项目1", "510101000000", "中央", "产业发展", "2020", "2020-06", "100", "60", "50"],
        ["P1", "项目1", "510101000000", "中央", "产业发展", "2020", "2020-12", "100", "100", "92"],
        ["P2", "项目2", "510101000000", "县级", "基础设施", "2020", "2020-06", "50", "20", "10"],
        ["P2", "项目2", "510101000000", "县级", "基础设施", "2020", "2020-12", "50", "50", "40"],
    ]})
    work = tmp_path_factory.mktemp("work")
    run_pipeline(raw, work)
    return raw, work


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def marts(request, built, tmp_path_factory):
    """The published marts of the DuckDB build, and of the same store built again on Spark
    (`povmon run --engine spark`): every test below holds on both."""
    raw, work = built
    if request.param == "duckdb":
        return work / "marts"
    return build_again_on_spark(raw, work, tmp_path_factory.mktemp("spark"))


def coverage(marts, area):
    return {p: rest for p, *rest in query(marts, f"""
        select program, eligible_persons, covered_persons, uncovered_persons, coverage_pct,
               target_pct
        from marts.program_coverage where year = 2020 and area_code = '{area}'""")}


def test_medical_insurance_coverage_counts_exited_persons_too(marts):
    assert coverage(marts, V1)["medical_insurance"] == [5, 4, 1, 80.0, 100.0]
    assert coverage(marts, V2)["medical_insurance"] == [3, 2, 1, 66.67, 100.0]
    assert coverage(marts, TOWNSHIP)["medical_insurance"] == [8, 6, 2, 75.0, 100.0]


def test_dibao_uses_the_most_specific_line_and_coverage_on_the_snapshot_date(marts):
    assert coverage(marts, V1)["dibao"] == [3, 1, 2, 33.33, 100.0]
    assert coverage(marts, V2)["dibao"] == [3, 0, 3, 0.0, 100.0]


def test_compulsory_education_ages_six_and_fifteen_are_in_sixteen_is_out(marts):
    assert coverage(marts, V1)["compulsory_education"] == [2, 1, 1, 50.0, 100.0]
    assert coverage(marts, V2)["compulsory_education"] == [1, 1, 0, 100.0, 100.0]


def test_education_aid_among_pupils_in_school(marts):
    assert coverage(marts, V1)["education_aid"] == [1, 0, 1, 0.0, 100.0]
    assert coverage(marts, V2)["education_aid"] == [1, 1, 0, 100.0, 100.0]
    assert coverage(marts, TOWNSHIP)["education_aid"] == [2, 1, 1, 50.0, 100.0]


def test_every_area_has_all_four_programs_with_zeros(marts):
    rows = query(marts, "select area_code, count(*), sum(eligible_persons) from marts.program_coverage "
                        "group by 1 order by 1")
    assert [(a, n) for a, n, _ in rows] == [
        ("510000000000", 4), ("510100000000", 4), ("510101000000", 4), (TOWNSHIP, 4), (V1, 4), (V2, 4)]


def reimbursement(marts, area):
    return query(marts, f"""
        select in_county, claims, total_cost::varchar, reimbursed::varchar, reimbursement_pct,
               target_pct, meets_target
        from marts.medical_reimbursement where year = 2020 and area_code = '{area}'
        order by in_county desc""")


def test_reimbursement_uses_the_corrected_claim_and_judges_at_the_target(marts):
    assert reimbursement(marts, V1) == [
        (True, 1, "1000.00", "900.00", 90.0, 85.0, True),
        (False, 0, "0.00", "0.00", None, 80.0, None),
    ]
    assert reimbursement(marts, V2) == [
        (True, 0, "0.00", "0.00", None, 85.0, None),
        (False, 1, "2000.00", "1600.00", 80.0, 80.0, True),
    ]


def test_reimbursement_ignores_other_years_and_unregistered_persons(marts):
    assert reimbursement(marts, "510000000000") == [
        (True, 1, "1000.00", "900.00", 90.0, 85.0, True),
        (False, 1, "2000.00", "1600.00", 80.0, 80.0, True),
    ]


def funds(marts, area, period, source):
    return query(marts, f"""
        select allocated::varchar, disbursed::varchar, spent::varchar, disbursement_rate_pct,
               execution_rate_pct, target_pct, meets_target
        from marts.fund_execution where year = 2020 and area_code = '{area}'
          and period = '{period}' and fund_source = '{source}'""")


def test_fund_execution_judges_the_last_period_only(marts):
    county = "510101000000"
    assert funds(marts, county, "2020-12", "全部") == [
        ("150.00", "150.00", "132.00", 100.0, 88.0, 90.0, False)]
    assert funds(marts, county, "2020-12", "中央") == [
        ("100.00", "100.00", "92.00", 100.0, 92.0, 90.0, True)]
    assert funds(marts, county, "2020-12", "县级") == [
        ("50.00", "50.00", "40.00", 100.0, 80.0, 90.0, False)]
    assert funds(marts, county, "2020-06", "全部") == [
        ("150.00", "80.00", "60.00", 53.33, 40.0, 90.0, None)]


def test_fund_execution_covers_county_city_province_and_every_source_with_zeros(marts):
    assert funds(marts, "510000000000", "2020-12", "全部") == funds(marts, "510101000000",
                                                                  "2020-12", "全部")
    assert funds(marts, "510000000000", "2020-12", "省级") == [
        ("0.00", "0.00", "0.00", None, None, 90.0, None)]
    assert query(marts, "select count(*), count(distinct period) from marts.fund_execution") == [
        (3 * 2 * 5, 2)]


def mpi(marts, area):
    return query(marts, f"""
        select persons, mpi_poor_persons, headcount_ratio_h, intensity_a, m0,
               deprived_income_pct, deprived_education_pct, deprived_health_pct,
               deprived_housing_pct, deprived_water_pct
        from marts.multidimensional_poverty where year = 2020 and area_code = '{area}'""")[0]


def test_multidimensional_poverty_by_village(marts):
    assert mpi(marts, V1) == (5, 3, 0.6, 0.6, 0.36, 60.0, 40.0, 60.0, 60.0, 0.0)
    assert mpi(marts, V2) == (3, 3, 1.0, 0.4, 0.4, 0.0, 0.0, 100.0, 0.0, 100.0)


def test_multidimensional_poverty_rolls_up_persons_not_households(marts):
    assert mpi(marts, TOWNSHIP) == (8, 6, 0.75, 0.5, 0.375, 37.5, 25.0, 75.0, 37.5, 37.5)


def decomposition(marts, area):
    return query(marts, """
        select indicator, weight, k, uncensored_headcount_pct, censored_headcount_pct,
            contribution_pct
        from marts.mpi_decomposition where year = 2020 and area_code = ?""", [area])


def test_mpi_decomposition_of_a_village(marts):
    assert decomposition(marts, V1) == [
        ("income", 0.2, 0.4, 60.0, 60.0, 33.33),
        ("education", 0.2, 0.4, 40.0, 0.0, 0.0),
        ("health", 0.2, 0.4, 60.0, 60.0, 33.33),
        ("housing", 0.2, 0.4, 60.0, 60.0, 33.33),
        ("water", 0.2, 0.4, 0.0, 0.0, 0.0),
    ]


def test_mpi_decomposition_where_one_indicator_drives_m0(marts):
    assert [(i, c) for i, *_, c in decomposition(marts, TOWNSHIP)] == [
        ("income", 20.0), ("education", 0.0), ("health", 40.0), ("housing", 20.0), ("water", 20.0)]


def test_mpi_uncensored_headcounts_are_the_deprivation_shares_of_the_mpi_mart(marts):
    assert [u for _, _, _, u, _, _ in decomposition(marts, TOWNSHIP)] == list(
        mpi(marts, TOWNSHIP)[5:])


def sensitivity(marts, area):
    return query(marts, """
        select k, mpi_poor_persons, headcount_ratio_h, intensity_a, m0
        from marts.mpi_cutoff_sensitivity where year = 2020 and area_code = ? order by k""",
                 [area])  # fmt: skip


def test_mpi_cutoff_sensitivity_with_households_exactly_at_k(marts):
    assert sensitivity(marts, V1) == [(0.2, 5, 1.0, 0.44, 0.44), (0.4, 3, 0.6, 0.6, 0.36),
                                      (0.6, 3, 0.6, 0.6, 0.36), (0.8, 0, 0.0, None, 0.0),
                                      (1.0, 0, 0.0, None, 0.0)]  # fmt: skip
    assert sensitivity(marts, V2) == [(0.2, 3, 1.0, 0.4, 0.4), (0.4, 3, 1.0, 0.4, 0.4),
                                      (0.6, 0, 0.0, None, 0.0), (0.8, 0, 0.0, None, 0.0),
                                      (1.0, 0, 0.0, None, 0.0)]  # fmt: skip


def test_mpi_cutoff_sensitivity_at_the_marts_k_is_that_mart(marts):
    for area in (V1, V2, TOWNSHIP):
        assert sensitivity(marts, area)[1][1:] == mpi(marts, area)[1:5]


def test_published_marts_are_exactly_the_specs(marts):
    tables = query(marts, "select table_name from duckdb_tables() where schema_name = 'marts' "
                          "order by 1")
    assert [t for (t,) in tables] == [
        "delivery_completeness", "delivery_timeliness", "fund_execution", "household_cards",
        "income_poverty_gap", "indicator_outliers", "ingest_reconciliation",
        "medical_reimbursement", "monitoring_summary", "mpi_cutoff_sensitivity",
        "mpi_decomposition", "multidimensional_poverty", "poverty_incidence", "program_coverage",
        "quality_flags", "quality_resolved_flags", "quality_summary", "risk_signals",
        "value_labels"]
    for (table,) in tables:
        assert (marts / f"{table}.parquet").exists()


SPEC_COLUMNS = {
    "program_coverage": ["program", "eligible_persons", "covered_persons", "uncovered_persons",
                         "coverage_pct", "target_pct"],
    "medical_reimbursement": ["in_county", "claims", "total_cost", "reimbursed",
                              "reimbursement_pct", "target_pct", "meets_target"],
    "multidimensional_poverty": ["persons", "mpi_poor_persons", "headcount_ratio_h",
                                 "intensity_a", "m0", "deprived_income_pct",
                                 "deprived_education_pct", "deprived_health_pct",
                                 "deprived_housing_pct", "deprived_water_pct"],
    # second release; columns beyond the spec's are said so in their dbt descriptions
    "mpi_decomposition": ["indicator", "weight", "k", "persons", "uncensored_headcount_pct",
                          "censored_headcount_pct", "contribution_pct"],
    "mpi_cutoff_sensitivity": ["k", "persons", "mpi_poor_persons", "headcount_ratio_h",
                               "intensity_a", "m0"],
    "income_poverty_gap": ["persons", "persons_below_line", "fgt0_pct", "fgt1_gap_index",
                           "fgt2_severity_index", "mean_shortfall_yuan", "persons_without_income",
                           "persons_without_line"],
    "indicator_outliers": ["indicator", "value", "previous_value", "change",
                           "sibling_median_change", "modified_z", "flagged", "denominator",
                           "previous_denominator"],
}
# marts whose grain is not year x area: their full column list
OWN_COLUMNS = {
    "fund_execution": ["year", "period", "area_code", "area_name", "area_level", "fund_source",
                       "allocated", "disbursed", "spent", "disbursement_rate_pct",
                       "execution_rate_pct", "target_pct", "meets_target"],
    "delivery_timeliness": ["feed", "table_name", "due_date", "area_code", "area_name", "status",
                            "delivery_date", "days_late", "detail"],
    "delivery_completeness": ["feed", "table_name", "due_date", "counties_expected",
                              "counties_on_time", "counties_late", "counties_missing",
                              "completeness_pct", "timeliness_pct"],
}
AREA_COLUMNS = ["year", "area_code", "area_name", "area_level"]


@pytest.mark.parametrize("mart", sorted([*SPEC_COLUMNS, *OWN_COLUMNS]))
def test_columns_and_types_follow_the_spec(marts, mart):
    columns = query(marts, f"select column_name, data_type from duckdb_columns() "
                           f"where schema_name = 'marts' and table_name = '{mart}' "
                           "order by column_index")
    names = [c for c, _ in columns]
    assert names == (OWN_COLUMNS[mart] if mart in OWN_COLUMNS else AREA_COLUMNS + SPEC_COLUMNS[mart])
    types = dict(columns)
    for name, data_type in types.items():
        if name.endswith("_pct"):
            assert data_type == "DOUBLE", name
        if name in ("total_cost", "reimbursed", "allocated", "disbursed", "spent",
                    "mean_shortfall_yuan"):
            assert data_type == "DECIMAL(18,2)", name
        if name in ("denominator", "previous_denominator"):
            assert data_type == "BIGINT", name  # a count, on either engine


def test_dbt_docs_are_published_with_the_chinese_descriptions(marts):
    page = (marts / "docs" / "index.html").read_text(encoding="utf-8")
    assert "model.povmon.multidimensional_poverty" in page
    # the page embeds the manifest as JSON, where Chinese text is \u-escaped
    assert json.dumps("贫困发生率(%) = 100 × 现行贫困人口 / 农村户籍人口")[1:-1] in page


def test_duckdb_cli_opens_the_published_file_read_only(marts):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "duckdb"), "-readonly", "-csv",
         str(marts / "warehouse.duckdb"),
         "SELECT area_name, incidence_pct FROM marts.poverty_incidence WHERE area_level = 'county'"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["area_name,incidence_pct", '"乙县",4.0']  # 6 poor / 150


def test_povmon_sql_prints_a_readable_table(marts):
    result = povmon("sql", "--marts", marts,
                    "SELECT program, coverage_pct FROM marts.program_coverage "
                    f"WHERE year = 2020 AND area_code = '{V1}' ORDER BY program")
    assert result.returncode == 0, result.stderr
    assert "│ medical_insurance    │         80.0 │" in result.stdout


def test_povmon_sql_reports_a_bad_query_plainly(marts):
    result = povmon("sql", "--marts", marts, "SELECT nope FROM marts.poverty_incidence")
    assert result.returncode == 2
    assert result.stderr.startswith("error: Binder Error")


def test_coded_values_have_their_chinese_names_in_a_published_table(marts):
    assert query(marts, """select p.program, l.label_zh from marts.program_coverage as p
        inner join marts.value_labels as l on l.column_name = 'program' and l.value = p.program
        where p.year = 2020 and p.area_code = ? order by p.program""", [V1]) == [
        ("compulsory_education", "控辍保学"), ("dibao", "应保尽保"),
        ("education_aid", "资助全覆盖"), ("medical_insurance", "医保参保")]


def test_parquet_files_carry_the_chinese_descriptions_of_their_columns(marts):
    """What R's arrow (read_parquet(…, as_data_frame = FALSE)$metadata) and pyarrow see."""
    metadata = pq.read_schema(marts / "poverty_incidence.parquet").metadata
    columns = json.loads(metadata[b"column_comments"])
    assert columns["incidence_pct"].startswith("贫困发生率(%) = 100 × 现行贫困人口 / 农村户籍人口")
    assert list(columns)[:4] == ["year", "area_code", "area_name", "area_level"]
    assert metadata[b"comment"].decode().startswith("贫困发生率")


def test_export_a_mart_to_a_workbook_with_chinese_headers_labels_and_codes_as_text(marts, tmp_path):
    out = tmp_path / "覆盖率.xlsx"
    result = povmon("export", "program_coverage", "--out", out, "--marts", marts)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote ") and result.stdout.endswith(f" rows to {out}\n")
    data = pl.read_excel(out, sheet_name="数据", infer_schema_length=0)
    assert data.columns[:7] == ["年度", "12位统计用区划代码", "区划名称", "区划层级", "区划层级（中文）",
                                "项目", "项目（中文）"]
    row = data.filter((pl.col("12位统计用区划代码") == V1) & (pl.col("年度") == "2020")
                      & (pl.col("项目") == "dibao")).row(0, named=True)
    assert (row["区划层级（中文）"], row["项目（中文）"]) == ("村", "应保尽保")
    fields = pl.read_excel(out, sheet_name="字段说明")
    assert fields.row(0) == ("year", "年度", "年度")
    assert fields.filter(pl.col("字段") == "coverage_pct")["说明"].item().startswith("覆盖率(%) = 100")
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert f"<t>{V1}</t>" in sheet  # the area code is a text cell, not a number


def test_export_a_query_to_csv_with_a_bom_and_names_as_headers(marts, tmp_path):
    out = tmp_path / "incidence.csv"
    result = povmon("export", "--query", "SELECT year, area_code, area_level, incidence_pct "
                    "FROM marts.poverty_incidence WHERE area_level = 'county' ORDER BY year",
                    "--out", out, "--headers", "names", "--marts", marts)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().decode("utf-8").splitlines()[:2] == [
        "\ufeffyear,area_code,area_level,area_level_zh,incidence_pct",
        "2020,\t510101000000,county,县,4.0"]


def test_export_says_what_to_do_with_a_wrong_mart_or_file(marts, tmp_path):
    wrong = povmon("export", "poverty", "--out", tmp_path / "x.xlsx", "--marts", marts)
    assert wrong.returncode == 2 and wrong.stderr.startswith(
        "error: no mart 'poverty'; the marts are: delivery_completeness, ")
    text = povmon("export", "poverty_incidence", "--out", tmp_path / "x.txt", "--marts", marts)
    assert text.stderr == ("error: x.txt: the file must end in .xlsx (Excel, WPS) or .csv "
                           "(UTF-8 with BOM)\n")


def _readme_block(opening: str) -> str:
    """The code block after ``opening`` in the README or in docs/querying.md, as written."""
    root = Path(__file__).parents[1]
    docs = "\n".join((root / name).read_text(encoding="utf-8")
                     for name in ("README.md", "docs/querying.md"))
    start = docs.index(opening)
    return docs[start + len(opening):docs.index("```", start + len(opening))]


@pytest.fixture
def readme_dir(marts, tmp_path):
    """A folder laid out like the repo after a run: data/marts and .venv."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "marts").symlink_to(marts)
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    return tmp_path


def test_readme_python_example_runs_as_written(readme_dir):
    code = _readme_block("```python\n") + "\nprint(len(lagging))"
    result = subprocess.run([sys.executable, "-c", code], cwd=readme_dir, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"  # 乙县, 甲市 and 示范省 spent 88 % < 90 %


def test_readme_excel_example_runs_as_written(readme_dir):
    script = _readme_block("and a 字段说明 sheet with every column's full description; or a CSV "
                           "with a BOM):\n\n```bash\n")
    result = subprocess.run(["bash", "-c", script], cwd=readme_dir, capture_output=True, text=True,
                            timeout=120, env={**os.environ,  # as in the repo: data/marts
                                              "POVMON_MARTS_DIR": str(readme_dir / "data" / "marts")})
    assert result.returncode == 0, result.stderr
    assert pl.read_excel(readme_dir / "项目覆盖.xlsx", sheet_name="数据").columns[5:7] == [
        "项目", "项目（中文）"]
    assert (readme_dir / "贫困发生率.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_readme_duckdb_cli_example_runs_as_written(readme_dir):
    script = _readme_block("DuckDB CLI (`.venv/bin/duckdb` is installed by the setup):\n\n```bash\n")
    result = subprocess.run(["bash", "-c", script], cwd=readme_dir, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "乙县" in result.stdout and "4.0" in result.stdout


@pytest.mark.parametrize(("edit", "message"), [
    ("select * rename (target_pct as goal_pct) from ({sql})", "goal_pct"),
    ("select * replace (cast(execution_rate_pct as varchar) as execution_rate_pct) from ({sql})",
     "execution_rate_pct"),
])
def test_a_renamed_or_retyped_published_column_fails_the_contract(built, tmp_path, edit, message):
    """The published marts have enforced contracts (dbt_project.yml): fund_execution with a
    column renamed, or retyped, is not built at all (dbt stops before the table)."""
    _, work = built
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    mart = project / "models" / "marts" / "fund_execution.sql"
    mart.write_text(edit.format(sql=mart.read_text()))
    store = tmp_path / "warehouse" / "warehouse.duckdb"
    store.parent.mkdir()
    shutil.copyfile(work / "warehouse" / "warehouse.duckdb", store)
    env = {**os.environ, **Settings.from_env({"POVMON_WAREHOUSE": str(store),
                                              "POVMON_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY}).environment()}
    result = subprocess.run([DBT_EXECUTABLE, "run", "--select", "fund_execution",
                             "--project-dir", project, "--profiles-dir", project],
                            capture_output=True, text=True, env=env, cwd=project)  # fmt: skip
    assert result.returncode == 1, result.stdout[-2000:]
    assert "This model has an enforced contract that failed." in result.stdout
    assert message in result.stdout
