"""poverty_incidence on a province small enough to count by hand.

Areas: province 51, city 5101, county 510101 with township 丙镇 (villages 一村 100 and
二村 50 rural residents) and township 丁镇 (no villages). Standards 2020: province
threshold 3.00, the county's own row 2.00.

Registry 2020-12-31 (the snapshot; the 06-30 delivery is superseded):
  H1 一村: A 户主 未脱贫, B 配偶 未脱贫
  H2 一村: C 户主 已脱贫 2020, D 子女 已脱贫 2020
  H3 二村: E 户主 返贫 (exit 2018)
  H4 二村: B again (R04: counts once, in H1, the smaller household_id)
  H5 unknown village 510101100299: F 户主 未脱贫 (R05: counts from 丙镇 up)
  H6 一村: a row with relation 户长 (quarantined, never counted)
Folder 2021-01-31 has no _SUCCESS: skipped.

By hand, 2020:
  一村   registered 4 (A B C D), poor 2, exited 2, relapsed 0, 2/100 = 2.00 % vs 2.00 -> not below
  二村   registered 1 (E), poor 1, relapsed 1, 1/50 = 2.00 % vs 2.00 -> not below
  丙镇   registered 6 (+F), poor 4 (A B E F), exited 2, relapsed 1, 4/150 = 2.67 % vs 2.00
  丁镇   registered 0, no population -> incidence NULL
  county as 丙镇 (threshold 2.00 from its own row); city and province 2.67 % vs 3.00 -> below
"""

import pytest

from tests.deliveries import POPULATION_HEADER, REGISTRY_HEADER, STANDARDS_HEADER, deliver, person
from tests.runner import query, run_pipeline

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

V1, V2, UNKNOWN = "510101100201", "510101100202", "510101100299"
A, B, C, D, E, F = ("11010519491231002X", "440524188001010014", "110101199003074477",
                    "510101198001010011", "510101198001010038", "510101198001010054")  # fmt: skip


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    deliver(raw, "population", "2020-12-31", {"p.csv": [
        POPULATION_HEADER,
        ["510000000000", "示范省", "", "省", "2020", ""],
        ["510100000000", "甲市", "510000000000", "市", "2020", ""],
        ["510101000000", "乙县", "510100000000", "县", "2020", ""],
        ["510101100000", "丙镇", "510101000000", "乡", "2020", ""],
        [V1, "一村", "510101100000", "村", "2020", "100"],
        [V2, "二村", "510101100000", "村", "2020", "50"],
        ["510101101000", "丁镇", "510101000000", "乡", "2020", ""],
    ]})
    deliver(raw, "standards", "2020-01-15", {"s.csv": [
        STANDARDS_HEADER,
        ["510000000000", "2020", "4000", "4600", "3.00", ""],
        ["510101000000", "2020", "4000", "5000", "2.00", ""],
    ]})
    deliver(raw, "registry", "2020-06-30", {"r.csv": [
        REGISTRY_HEADER, *[person(f"H{i}", f"51010119700101{i:03d}X", "户主", V1, "未脱贫")
                           for i in range(1, 30)],
    ]})
    deliver(raw, "registry", "2020-12-31", {"r.csv": [
        REGISTRY_HEADER,
        person("H1", A, "户主", V1, "未脱贫"),
        person("H1", B, "配偶", V1, "未脱贫"),
        person("H2", C, "户主", V1, "已脱贫", "2020"),
        person("H2", D, "子女", V1, "已脱贫", "2020"),
        person("H3", E, "户主", V2, "返贫", "2018"),
        person("H4", B, "户主", V2, "未脱贫"),
        person("H5", F, "户主", UNKNOWN, "未脱贫"),
        person("H6", "510101198001010070", "户长", V1, "未脱贫"),
    ]})
    deliver(raw, "registry", "2021-01-31", {"r.csv": [
        REGISTRY_HEADER, person("H9", A, "户主", V1, "未脱贫")]}, complete=False)
    work = tmp_path_factory.mktemp("work")
    run_pipeline(raw, work)
    return work / "marts"


def rows(marts):
    return {
        r[0]: r[1:]
        for r in query(marts, """
            select area_name, area_level, rural_population, registered_persons, poor_persons,
                   exited_in_year, relapsed_persons, incidence_pct, exit_threshold_pct,
                   meets_exit_threshold
            from marts.poverty_incidence where year = 2020""")
    }


def test_every_area_of_every_level_has_a_row(marts):
    assert sorted(rows(marts)) == sorted(["示范省", "甲市", "乙县", "丙镇", "丁镇", "一村", "二村"])


def test_village_counts_and_incidence_exactly_at_threshold_is_not_below(marts):
    assert rows(marts)["一村"] == ("village", 100, 4, 2, 2, 0, 2.0, 2.0, False)
    assert rows(marts)["二村"] == ("village", 50, 1, 1, 0, 1, 2.0, 2.0, False)


def test_unknown_village_counts_in_township_and_above_only(marts):
    assert rows(marts)["丙镇"] == ("township", 150, 6, 4, 2, 1, 2.67, 2.0, False)
    assert rows(marts)["乙县"] == ("county", 150, 6, 4, 2, 1, 2.67, 2.0, False)


def test_township_without_population_has_zero_counts_and_null_incidence(marts):
    assert rows(marts)["丁镇"] == ("township", None, 0, 0, 0, 0, None, 2.0, None)


def test_city_and_province_use_the_province_threshold(marts):
    assert rows(marts)["甲市"] == ("city", 150, 6, 4, 2, 1, 2.67, 3.0, True)
    assert rows(marts)["示范省"] == ("province", 150, 6, 4, 2, 1, 2.67, 3.0, True)


def test_superseded_and_incomplete_deliveries_never_count(marts):
    assert query(marts, "select distinct year from marts.poverty_incidence") == [(2020,)]
    statuses = query(marts, "select delivery_date::varchar, status, rows_read, rows_accepted, "
                            "rows_quarantined from marts.ingest_reconciliation "
                            "where feed = 'registry' order by delivery_date")
    assert statuses == [("2020-06-30", "loaded", 29, 29, 0), ("2020-12-31", "loaded", 8, 7, 1),
                        ("2021-01-31", "skipped_incomplete", 0, 0, 0)]


def test_published_marts_have_the_spec_columns_in_order_and_additions_after_them(marts):
    columns = query(marts, "select table_name, list(column_name order by column_index) "
                           "from duckdb_columns() where schema_name = 'marts' and table_name in "
                           "('ingest_reconciliation', 'poverty_incidence') group by 1 order by 1")
    assert columns == [
        ("ingest_reconciliation", ["feed", "delivery_date", "file", "rows_read", "rows_accepted",
                                   "rows_quarantined", "encoding", "status", "message",
                                   "table_name", "message_zh"]),
        ("poverty_incidence", ["year", "area_code", "area_name", "area_level", "rural_population",
                               "registered_persons", "poor_persons", "exited_in_year",
                               "relapsed_persons", "incidence_pct", "exit_threshold_pct",
                               "meets_exit_threshold"]),
    ]
    assert (marts / "poverty_incidence.parquet").exists()
    assert (marts / "ingest_reconciliation.parquet").exists()


def test_every_published_column_has_a_chinese_comment(marts):
    missing = query(marts, "select table_name, column_name from duckdb_columns() "
                           "where schema_name = 'marts' and (comment is null or comment = '')")
    assert missing == []
