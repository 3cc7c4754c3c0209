"""A generated province through `povmon generate` and `povmon run`, checked against the
generator's own ground truth (numbers the pipeline did not compute)."""

import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.runner import query

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out


def test_village_counts_match_the_generator_for_every_year(province):
    raw, marts, _ = province
    truth = pl.read_csv(raw / "_truth" / "poverty_persons.csv", schema_overrides={"area_code": pl.String})
    villages = truth.filter(~pl.col("area_code").str.ends_with("000"))
    got = query(marts, "select year, area_code, registered_persons, poor_persons, exited_in_year, "
                       "relapsed_persons from marts.poverty_incidence where area_level = 'village' "
                       "and registered_persons > 0 order by year, area_code")
    assert got == villages.sort("year", "area_code").rows()


def test_province_totals_include_persons_of_unknown_villages(province):
    raw, marts, _ = province
    truth = pl.read_csv(raw / "_truth" / "poverty_persons.csv").group_by("year").agg(
        pl.col("registered_persons", "poor_persons").sum()).sort("year")
    got = query(marts, "select year, registered_persons, poor_persons from marts.poverty_incidence "
                       "where area_level = 'province' order by year")
    assert got == truth.rows()
    assert [y for y, *_ in got] == [2016, 2017, 2018, 2019, 2020]


def test_reconciliation_matches_what_the_generator_wrote(province):
    raw, marts, _ = province
    truth = pl.read_csv(raw / "_truth" / "files.csv")
    loaded = truth.filter(pl.col("status") == "loaded").select(
        "feed", "delivery_date", "file", "rows", "quarantined").sort("feed", "delivery_date", "file")
    got = query(marts, "select feed, delivery_date::varchar, file, rows_read, rows_quarantined "
                       "from marts.ingest_reconciliation where status = 'loaded' order by 1, 2, 3")
    assert got == loaded.rows()
    assert query(marts, "select count(*) from marts.ingest_reconciliation "
                        "where rows_read != rows_accepted + rows_quarantined") == [(0,)]


def test_rejected_and_incomplete_deliveries_are_reported(province):
    _, marts, _ = province
    got = query(marts, "select feed, delivery_date::varchar, status, count(*) "
                       "from marts.ingest_reconciliation where status != 'loaded' group by all order by 1")
    assert got == [("dibao", "2020-06-30", "rejected", 3),
                   ("registry", "2021-01-31", "skipped_incomplete", 1)]


def test_the_console_is_a_line_per_step_with_the_full_log_in_a_file(province):
    """Not a terminal: no live line, no colour code; dbt's 150 START/OK lines are in the
    run's log file, not on the console."""
    _, marts, stdout = province
    lines = stdout.splitlines()
    assert len(lines) < 80, len(lines)
    assert "\x1b" not in stdout and "\r" not in stdout
    assert not [line for line in lines if re.search(r"\d+ of \d+ (START|OK|PASS)", line)]
    steps = [line.split()[0:2] for line in lines if line.startswith("  ingest: ")]
    assert [s[1] for s in steps] == ["dibao", "education", "funds", "medical", "monitoring",
                                     "population", "registry", "standards", "reconciliation"]
    assert re.search(r"  dbt build +\d+ models and seeds built, tests \d+ passed  \([\d.]+ s\)", stdout)
    log = re.search(r"full log: (\S+)\)", stdout).group(1)
    text = Path(log).read_text(encoding="utf-8")
    assert re.search(r"\d+ of \d+ OK created sql table model marts\.poverty_incidence", text)
    assert "\x1b" not in text


def test_run_prints_where_the_marts_are_and_a_query_to_try(province):
    _, marts, stdout = province
    assert f"marts: {marts / 'warehouse.duckdb'} (schema marts)" in stdout
    assert "povmon sql \"SELECT year, area_name" in stdout
    assert "…" not in stdout


def test_no_published_file_holds_an_id_number_or_a_name(province):
    raw, marts, _ = province
    registry = pl.read_csv(raw / "registry" / "2020-12-31" / "registry_510101.csv",
                           infer_schema=False)
    names = set(registry["姓名"].drop_nulls().to_list())
    # an ID number standing on its own (not a run of digits inside a hex checksum)
    id_pattern = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
    with duckdb.connect(str(marts / "warehouse.duckdb"), read_only=True) as conn:
        tables = [t for (t,) in conn.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()]
        for table in tables:
            for row in conn.execute(f"select * from marts.{table}").fetchall():
                for value in row:
                    text = str(value)
                    assert not id_pattern.search(text), (table, text)
                    assert text not in names, (table, text)
    assert sorted(p.name for p in marts.iterdir()) == [
        "delivery_completeness.parquet", "delivery_timeliness.parquet", "docs",
        "fund_execution.parquet", "household_cards.parquet", "income_poverty_gap.parquet",
        "indicator_outliers.parquet",
        "ingest_reconciliation.parquet", "medical_reimbursement.parquet",
        "monitoring_summary.parquet", "mpi_cutoff_sensitivity.parquet",
        "mpi_decomposition.parquet", "multidimensional_poverty.parquet",
        "poverty_incidence.parquet", "program_coverage.parquet", "quality",
        "quality_flags.parquet", "quality_resolved_flags.parquet", "quality_summary.parquet",
        "report", "risk_signals.parquet", "value_labels.parquet", "warehouse.duckdb"]
    pages = [p for p in marts.rglob("*") if p.suffix in (".html", ".json", ".csv", ".txt")]
    assert len(pages) >= 5  # dbt docs, the validation results, the quality and indicator reports
    assert marts / "quality" / "index.html" in pages and marts / "report" / "index.html" in pages
    name_pattern = re.compile("|".join(map(re.escape, sorted(names))))
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="ignore")
        assert not id_pattern.search(text), page
        assert not name_pattern.search(text), (page, name_pattern.search(text))


def test_validation_results_are_one_page_of_every_suite_and_the_injected_id_errors(province):
    _, marts, stdout = province
    docs = marts / "quality" / "data_docs"
    assert [p.name for p in docs.iterdir()] == ["index.html"]
    page = (docs / "index.html").read_text(encoding="utf-8")
    suites = re.search(r'<table id="suites">.*?</table>', page, re.S).group(0)
    assert len(re.findall(r'<a href="#[a-z_]+-(contract|quality)">', suites)) == 18
    registry = re.search(r'<table id="batches-registry-quality">.*?</table>', page, re.S).group(0)
    assert "2020年（2 批报送）" in registry and "R01 证件号码错误 id_number：" in registry
    assert re.search(r"warning: registry\.quality: \d of 6 expectations failed — "
                     r"R01 证件号码错误 id_number: [\d,]+ rows", stdout)


def test_published_pages_work_offline_and_file_names_are_portable(province):
    """No script, style, image or font from the network (an office intranet has none),
    and no name a Windows share refuses."""
    _, marts, _ = province
    for page in marts.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        outside = re.findall(r'src\s*=\s*["\']?(?:https?:)?//[^"\'>\s]*', text)
        outside += re.findall(r'<link[^>]*href\s*=\s*["\']?(?:https?:)?//[^"\'>\s]*', text)
        outside += re.findall(r'@import|url\(\s*["\']?(?:https?:)?//', text)
        assert not outside, (page, outside[:3])
    names = [p.relative_to(marts).as_posix() for p in marts.rglob("*")]
    assert not [n for n in names if re.search(r'[:*?"<>|\\]', n)]


def test_medical_insurance_coverage_matches_the_generator(province):
    raw, marts, _ = province
    truth = pl.read_csv(raw / "_truth" / "coverage_persons.csv",
                        schema_overrides={"area_code": pl.String})
    villages = truth.filter(~pl.col("area_code").str.ends_with("000"))
    got = query(marts, "select year, area_code, eligible_persons, covered_persons "
                       "from marts.program_coverage where program = 'medical_insurance' "
                       "and area_level = 'village' and eligible_persons > 0 order by 1, 2")
    assert got == villages.select("year", "area_code", "eligible_persons", "covered_persons").rows()
    totals = truth.group_by("year").agg(pl.col("eligible_persons", "covered_persons").sum())
    province_rows = query(marts, "select year, eligible_persons, covered_persons "
                                 "from marts.program_coverage where program = 'medical_insurance' "
                                 "and area_level = 'province' order by year")
    assert province_rows == totals.sort("year").rows()
    assert all(covered < eligible for _, eligible, covered in province_rows)  # gaps exist


def test_quality_flags_match_the_defects_the_generator_injected(province):
    """Every rule's flags per feed and delivery equal _truth/flags.csv exactly, for the
    deliveries the rules check: each table's snapshot of a year (medical enrollment: the
    March roster, not the claims-only deliveries after it), and every claims delivery."""
    raw, marts, _ = province
    truth = pl.read_csv(raw / "_truth" / "flags.csv")
    snapshots = {(f, str(d)) for f, d in query(marts, """
        select feed, max(delivery_date) from marts.ingest_reconciliation
        where status = 'loaded' and table_name <> 'medical_claims'
        group by feed, table_name, year(delivery_date)
        union
        select feed, delivery_date from marts.ingest_reconciliation
        where status = 'loaded' and table_name = 'medical_claims'""")}
    assert ("medical", "2020-03-31") in snapshots  # the enrollment snapshot of 2020
    expected = sorted((f, d, r, n) for f, d, r, n in truth.rows() if (f, d) in snapshots)
    got = query(marts, """
        select feed, cast(delivery_date as varchar), rule_id, count(*) from marts.quality_flags
        group by all order by all""")
    assert got == expected
    assert {r for _, _, r, _ in got} == {f"R{i:02d}" for i in range(1, 18)}


def test_published_details_hold_no_date_and_no_six_digits_of_an_id_number(province):
    """Beside person_key, a birth date or a piece of an ID number would re-identify a person."""
    _, marts, _ = province
    ids = "|".join(i for (i,) in query(marts.parent / "warehouse", """
        select distinct id_number from raw.registry where id_number is not null""",
        database="warehouse.duckdb"))
    date = re.compile(r"\d{4}[-/]\d{2}[-/]\d{2}|(?<!\d)(19|20)\d{6}(?!\d)")
    details = [d for (d,) in query(marts, "select distinct detail from marts.quality_flags")]
    assert len(details) > 20
    for detail in details:
        assert not date.search(detail), detail
        for digits in re.findall(r"\d{6,}", detail):
            assert not any(digits[i:i + 6] in ids for i in range(len(digits) - 5)), detail


def test_a_successful_run_prints_nothing_a_user_cannot_act_on(province):
    _, _, output = province
    assert "run succeeded" in output
    assert "nanobind" not in output
    assert "No sqlalchemy dialect found" not in output
    assert "Traceback" not in output


def test_report_lists_problem_files_in_chinese_relative_to_the_deliveries_folder(province):
    raw, marts, _ = province
    page = (marts / "quality" / "index.html").read_text(encoding="utf-8")
    assert "dibao/2020-06-30/dibao_510101.csv：缺少必填列“证件号码”，整批数据已拒收" in page
    assert "registry/2021-01-31：尚无 _SUCCESS 标记" in page
    assert str(raw) not in page
    assert "mandatory column" not in page


def test_monitoring_finds_exactly_the_late_and_missing_county_deliveries_planted(province):
    raw, marts, stdout = province
    truth = pl.read_csv(raw / "_truth" / "monitoring.csv", infer_schema=False)
    planted = truth.filter(pl.col("case") != "outlier").select(
        "feed", "due_date", "area_code", "case", "delivery_date").sort("case").rows()
    got = query(marts, "select feed, due_date::varchar, area_code, status, delivery_date::varchar "
                       "from marts.delivery_timeliness where status != 'on_time' order by status")
    assert got == planted
    assert "indicator report: " + str(marts / "report" / "index.html") in stdout
    assert "(1 late and 1 missing county deliveries" in stdout


def test_monitoring_flags_the_planted_outlier_village_alone_among_its_siblings(province):
    raw, marts, _ = province
    (year, village), = pl.read_csv(raw / "_truth" / "monitoring.csv", infer_schema=False).filter(
        pl.col("case") == "outlier").select(pl.col("year").cast(pl.Int64), "area_code").rows()
    flagged = query(marts, """
        select area_code, change < 0 from marts.indicator_outliers
        where year = ? and indicator = 'incidence_pct' and flagged
            and left(area_code, 9) = left(?, 9) and area_level = 'village'""", [year, village])
    assert flagged == [(village, True)]  # a drop, and the only one among its siblings
    page = (marts / "report" / "index.html").read_text(encoding="utf-8")
    table = re.search(r'<table id="outliers">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td[^>]*>(\d{4})</td><td[^>]*>[^<]*</td><td[^>]*>(\d{12})</td>"
                      r"<td[^>]*>贫困发生率\(%\)</td>", table)
    assert [code for y, code in rows if int(y) == year][0] == village  # listed by |z|: first


def test_every_worklist_row_names_its_department_and_its_feed_in_chinese(province):
    """Every (rule, feed) the generator's defects raise has a 责任部门 in the seed."""
    _, marts, _ = province
    books = sorted((marts.parent / "warehouse" / "worklists").glob("*/*_问题清单_*.xlsx"))
    assert books
    for book in books:
        flags = pl.read_excel(book, sheet_name="问题清单", infer_schema_length=0)
        assert flags["责任部门"].null_count() == 0, book
        assert set(flags["责任部门"]) <= {"扶贫办", "民政局", "医保局", "教育局", "财政局"}
        assert set(flags["数据来源"]) <= {"建档立卡", "低保", "医保", "教育", "资金"}


def test_dbt_writes_the_build_artifacts_beside_the_store_it_built(province):
    """Two stores building at once (two offices on one server, the tests' workers) must
    never share dbt's manifest: the publish step reads the night's one."""
    _, marts, _ = province
    target = marts.parent / "warehouse" / "dbt-target" / "duckdb"
    results = json.loads((target / "run_results.json").read_text())
    assert results["args"]["which"] == "build"
    assert (target / "manifest.json").exists()


def test_the_roster_in_monitoring_summary_is_the_roster_the_generator_wrote(province):
    """Per year and county, the year-end roster's active households and persons of each
    category, as _truth/roster.csv counts them from the rows written."""
    raw, marts, _ = province
    truth = pl.read_csv(raw / "_truth" / "roster.csv", schema_overrides={"county_code": pl.String})
    column = {"脱贫不稳定户": "unstable", "边缘易致贫户": "marginal", "突发严重困难户": "sudden"}
    expected = {}
    for year, county, category, households, persons in truth.rows():
        total = expected.setdefault((year, county), {"households": 0, "persons": 0})
        total[column[category]] = households
        total["households"] += households
        total["persons"] += persons
    got = query(marts, """
        select year, area_code, active_households, active_persons, active_unstable_households,
               active_marginal_households, active_sudden_households
        from marts.monitoring_summary where area_level = 'county' order by all""")
    assert got == [(y, c, e["households"], e["persons"], e.get("unstable", 0),
                    e.get("marginal", 0), e.get("sudden", 0))
                   for (y, c), e in sorted(expected.items())]
    assert min(row[2] for row in got) > 0
