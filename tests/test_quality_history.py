"""Night over night: flags new, resolved and still open; a re-run of a night changes
nothing; the Dagster run records the counts per rule; the report renders in Chromium."""

import os
import re
import shutil
import subprocess

import dagster as dg
import pytest

from pipelines.core.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tests.deliveries import REGISTRY_HEADER, deliver
from tests.runner import TEST_PSEUDONYM_KEY, povmon, query, run_pipeline
from tests.test_quality_rules import P24, REGISTRY, deliver_county, person_key, row

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

NIGHT1, NIGHT2, NIGHT3 = "2026-11-22", "2026-11-23", "2026-11-24"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def corrected(registry: list[list[str]]) -> list[list[str]]:
    """The county's corrected re-delivery: H03's birth date and H21's second 户主 fixed
    (R02, R17 resolved), while H24's 性别 is now mistyped (a new R03)."""
    rows = [r for r in registry if r[0] not in ("H03", "H21", "H24")]
    h03 = next(r for r in registry if r[0] == "H03")
    h21 = [r for r in registry if r[0] == "H21"]
    fixed = [[*h03[:5], "1980-01-01", *h03[6:]], h21[0], [*h21[1][:3], "配偶", *h21[1][4:]]]
    return [*rows, *fixed, row("H24", P24, "户主", status="返贫", exit_year="2018", sex="女")]


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    raw, work = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("work")
    deliver_county(raw)
    run_pipeline(raw, work, "--run-date", NIGHT1)
    deliver(raw, "registry", "2020-12-31", {"r.csv": [REGISTRY_HEADER, *corrected(REGISTRY)]})
    deliver(raw, "registy", "2020-12-31", {"r.csv": [REGISTRY_HEADER]})  # a typo: no feed
    dagster_home = work / "dagster_home"
    dagster_home.mkdir()
    second = run_pipeline(raw, work, "--run-date", NIGHT2, env={"DAGSTER_HOME": str(dagster_home)})
    return raw, work, work / "marts", dagster_home, second.stdout


@pytest.fixture(scope="module")
def three_nights(nights, tmp_path_factory):
    """A copy of the two nights' folders (the store, the marts, the Dagster instance) and
    a third night on it that brings nothing new: the tests of nights 1 and 2 read theirs
    as they were, whatever order the tests run in."""
    raw, work = nights[0], tmp_path_factory.mktemp("three") / "work"
    shutil.copytree(nights[1], work)
    incidence = query(work / "marts", "select * from marts.poverty_incidence order by all")
    third = run_pipeline(raw, work, "--run-date", NIGHT3,
                         env={"DAGSTER_HOME": str(work / "dagster_home")})
    return raw, work, work / "marts", work / "dagster_home", third, incidence


def test_second_night_lists_new_resolved_and_still_open_flags(nights):
    marts = nights[2]
    new = query(marts, "select rule_id, record_key, person_key from marts.quality_flags "
                       "where run_date = ? and flag_status = 'new'", [NIGHT2])
    assert new == [("R03", "H24", person_key(P24))]
    resolved = query(marts, "select rule_id, record_key, first_seen_run_date, last_seen_run_date "
                            "from marts.quality_resolved_flags order by all")
    assert [(r, k, str(f), str(last)) for r, k, f, last in resolved] == [
        ("R02", "H03", NIGHT1, NIGHT1), ("R17", "H21", NIGHT1, NIGHT1)]
    still_open = query(marts, "select count(*), min(first_seen_run_date), min(nights_open), "
                              "max(nights_open) from marts.quality_flags "
                              "where run_date = ? and flag_status = 'open'", [NIGHT2])
    first_night = query(marts, "select count(*) from marts.quality_flags where run_date = ?", [NIGHT1])
    assert [(n, str(d), lo, hi) for n, d, lo, hi in still_open] == [
        (first_night[0][0] - 2, NIGHT1, 2, 2)]
    totals = query(marts, "select run_date, sum(flagged_records), sum(new_flags), "
                          "sum(resolved_flags), sum(still_open_flags) from marts.quality_summary "
                          "group by run_date order by run_date")
    assert [(str(d), *rest) for d, *rest in totals] == [
        (NIGHT1, 33, 33, 0, 0), (NIGHT2, 32, 1, 2, 31)]


def test_running_the_same_night_again_does_not_duplicate_its_history(nights):
    raw, work, marts, _, _ = nights
    before = query(marts, "select run_date, count(*) from marts.quality_flags group by all order by 1")
    run_pipeline(raw, work, "--run-date", NIGHT2)
    assert query(marts, "select run_date, count(*) from marts.quality_flags "
                        "group by all order by 1") == before
    assert query(marts, "select count(*) from marts.quality_resolved_flags") == [(2,)]


def test_dagster_records_the_flag_counts_per_rule(nights):
    instance = dg.DagsterInstance.from_config(str(nights[3]))
    event = instance.get_latest_materialization_event(dg.AssetKey(["quality", "report"]))
    metadata = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert metadata["night"] == NIGHT2
    assert (metadata["flags"], metadata["new_flags"], metadata["resolved_flags"]) == (32, 1, 2)
    assert metadata["flags_R03"] == 2 and metadata["flags_R01"] == 3 and metadata["flags_R02"] == 0
    assert "| R03 | 2 | 1 | 0 |" in metadata["flags_by_rule"]


def test_second_night_revalidates_only_the_corrected_feed_and_keeps_the_docs(nights):
    """Only the registry was re-delivered: its suites run again; every other suite's
    outcome of night 1 stands, and the dbt docs page (same manifest) is kept."""
    instance = dg.DagsterInstance.from_config(str(nights[3]))
    checks = {}
    for record in instance.get_records_for_run(
            run_id=instance.get_runs()[0].run_id,
            of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.check_name.endswith(("_contract", "_quality")):  # GX, not dbt tests
            checks[evaluation.check_name] = evaluation.description
    assert "result kept" not in checks["registry_quality"]
    assert "result kept" not in checks["registry_contract"]
    kept = sorted(name for name, text in checks.items() if text.endswith("; result kept)"))
    assert kept == sorted(name for name in checks if not name.startswith("registry_"))
    assert len(kept) == 16  # the other eight tables' two suites
    event = instance.get_latest_materialization_event(dg.AssetKey(["publish", "published_marts"]))
    assert event.asset_materialization.metadata["docs_rebuilt"].value is False


def test_run_summary_prints_the_counts_and_where_the_report_is(nights):
    stdout = nights[4]
    assert "R02 出生日期不一致: 0 (0/1)" in stdout and "R03 性别不一致: 2 (1/0)" in stdout
    assert f"quality report: {nights[2] / 'quality' / 'index.html'}" in stdout


def test_a_folder_that_is_no_feed_is_named_in_the_summary_and_the_report(nights):
    stdout, marts = nights[4], nights[2]
    assert ("warning: registy/ in the deliveries folder is not a feed and is not read (did you "
            "mean registry/?); the feeds are population, standards, registry, dibao, medical, "
            "education, funds") in stdout
    page = (marts / "quality" / "index.html").read_text(encoding="utf-8")
    problems = re.search(r'<table id="problem-files">.*?</table>', page, re.S).group(0)
    assert '<td class="text">registy/</td><td class="text">不是数据源（未读取）</td>' in problems
    assert "数据目录中的 registy/ 不是已知的数据源，未读取（是否应为 registry/？）" in problems


def test_report_renders_in_headless_chromium_with_its_charts_and_links(nights, tmp_path):
    marts = nights[2]
    index = marts / "quality" / "index.html"
    assert (marts / "quality" / f"{NIGHT1}.html").exists()
    assert (marts / "quality" / f"{NIGHT2}.html").read_text(encoding="utf-8") == index.read_text(
        encoding="utf-8")
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by scripts/test.sh"
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", index.as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    assert "数据质量报告 2026-11-23" in dom
    assert 'data-charts-rendered="5"' in dom  # set by the page's script once laid out
    for chart in ("chart-rules", "chart-feeds", "chart-trend", "chart-changes", "chart-counties"):
        tag = re.search(rf'<svg[^>]*id="{chart}"[^>]*>', dom).group(0)
        assert int(re.search(r'data-rendered-width="(\d+)"', tag).group(1)) > 0, tag
        assert int(re.search(r'data-marks="(\d+)"', tag).group(1)) > 0, tag
    assert '<a href="data_docs/index.html">' in dom
    worklist = re.search(r'<a href="([^"]+\.xlsx)">XLSX</a>', dom).group(1)
    assert (index.parent / worklist).resolve().exists()
    assert "worklists" in worklist and (index.parent / worklist).resolve().is_relative_to(
        nights[1] / "warehouse")
    trend = re.search(r'<svg[^>]*id="chart-trend".*?</svg>', dom, re.S).group(0)
    assert NIGHT1 in trend and NIGHT2 in trend
    assert "演示数据" not in dom  # a keyed run: no development-key warning


def test_a_night_with_nothing_new_builds_only_the_quality_history(three_nights):
    """Night 3 brings nothing: no model is rebuilt except the quality ones, which carry
    night 2's 32 flags forward: all still open (none new or resolved), the 31 first seen on
    night 1 open for 3 nights, H24's R03 (first seen night 2) for 2. The published marts
    stay as they were, and Dagster records the other models as not rebuilt."""
    raw, work, marts, dagster_home, result, incidence = three_nights
    log = (work / "warehouse" / "logs" / f"run_{NIGHT3}.log").read_text(encoding="utf-8")
    assert "dbt build" in log and "emitted no result" not in log + result.stdout + result.stderr
    totals = query(marts, "select sum(flagged_records), sum(new_flags), sum(resolved_flags), "
                          "sum(still_open_flags) from marts.quality_summary where run_date = ?",
                   [NIGHT3])  # fmt: skip
    assert totals == [(32, 0, 0, 32)]
    opened = query(marts, "select str_split(first_seen_run_date::varchar, ' ')[1], nights_open, "
                          "count(*) from marts.quality_flags where run_date = ? "
                          "and flag_status = 'open' group by all order by all", [NIGHT3])
    assert opened == [(NIGHT1, 3, 31), (NIGHT2, 2, 1)]
    assert query(marts, "select * from marts.poverty_incidence order by all") == incidence
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    def metadata(key):  # noqa: E306
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        return {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert metadata(["marts", "poverty_incidence"])["unchanged_since"] == NIGHT2
    assert "rebuilt" not in metadata(["quality", "quality_flag_history"])
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey(["marts", "poverty_incidence"]),
                          "not_null_poverty_incidence_area_code")])  # fmt: skip
    [evaluation] = [record.evaluation for record in check.values()]
    assert evaluation.passed and evaluation.metadata["passed_on_build_of"].value == NIGHT2
    assert metadata(["quality", "report"])["night"] == NIGHT3
    # the same 32 flags and problem files as night 2: night 2's worklists stand, none written
    assert metadata(["quality", "report"])["worklists_of_night"] == NIGHT2
    assert not list((work / "warehouse" / "worklists").glob(f"*/*_{NIGHT3}.*"))
    assert "问题清单与 2026-11-23 的相同" in (marts / "quality" / "index.html").read_text(
        encoding="utf-8")
    # published: only the marts a night changes by its date alone
    assert metadata(["publish", "published_marts"])["changed_marts"] == "quality_flags, quality_summary"


def test_a_rerun_of_an_earlier_night_rebuilds_the_nights_after_it(three_nights):
    """quality_flags and quality_resolved_flags add a night at a time, from the run before.
    Re-running night 2 after night 3 rebuilds both from the history from night 2 on, and
    every night's rows are as they were: night 3's 32 flags all open, nothing lost or
    doubled."""
    raw, work, marts = three_nights[:3]
    flags = "select * from marts.quality_flags order by all"
    resolved = "select * from marts.quality_resolved_flags order by all"
    before = query(marts, flags), query(marts, resolved)
    assert [str(night) for (night,) in query(
        marts, "select distinct run_date from marts.quality_flags order by 1")] == [
        NIGHT1, NIGHT2, NIGHT3]
    run_pipeline(raw, work, "--run-date", NIGHT2)
    assert (query(marts, flags), query(marts, resolved)) == before
    assert query(marts, "select flag_status, count(*) from marts.quality_flags where run_date = ? "
                        "group by all order by all", [NIGHT3]) == [("open", 32)]


def test_quality_flags_keep_only_the_last_runs_of_the_history(three_nights, tmp_path):
    """quality_flags keeps the last var('quality_flags_runs_kept') runs (7); with 2, a
    build of night 3 drops night 1 from it, and the history keeps all three. Built by dbt
    itself on a copy of the warehouse, so the other tests' nights stay as they are."""
    work = three_nights[1]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(work / "warehouse" / "warehouse.duckdb", warehouse)
    env = {**os.environ, "POVMON_WAREHOUSE": str(warehouse), "POVMON_RUN_DATE": NIGHT3,
           "POVMON_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY, "POVMON_SPARK_DIR": str(tmp_path)}
    subprocess.run([DBT_EXECUTABLE, "build", "--select", "quality_flags", "--vars",
                    "{quality_flags_runs_kept: 2}", "--project-dir", DBT_PROJECT_DIR,
                    "--profiles-dir", DBT_PROJECT_DIR, "--target-path", tmp_path / "target"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    nights_kept = "select run_date::varchar, count(*) from {} group by all order by all"
    assert query(tmp_path, nights_kept.format("marts.quality_flags"),
                 database=warehouse.name) == [(NIGHT2, 32), (NIGHT3, 32)]
    assert query(tmp_path, nights_kept.format("quality.quality_flag_history"),
                 database=warehouse.name) == [(NIGHT1, 33), (NIGHT2, 32), (NIGHT3, 32)]


def test_a_night_with_another_key_is_refused_unless_the_operator_says_so(nights, tmp_path):
    raw, work = nights[0], tmp_path / "work"
    shutil.copytree(nights[1], work, ignore=shutil.ignore_patterns("dagster_home"))
    refused = povmon("run", "--raw", raw, "--marts", work / "marts", "--warehouse",
                     work / "warehouse" / "warehouse.duckdb", "--run-date", "2026-11-25",
                     key="another-key")  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: POVMON_PSEUDONYM_KEY is not the key this warehouse "
                                     f"was built with (in use since {NIGHT1})")
    nights_before = query(work / "marts", "select distinct run_date::varchar, false "
                          "from marts.quality_summary order by 1")
    assert "2026-11-25" not in dict(nights_before)

    run_pipeline(raw, work, "--run-date", "2026-11-25", "--new-pseudonym-key", key="another-key")
    assert query(work / "marts", "select run_date::varchar, bool_and(flag_continuity_restarted) "
                 "from marts.quality_summary group by 1 order by 1") == [
        *nights_before, ("2026-11-25", True)]
    (new, resolved), = query(work / "marts", "select sum(new_flags), sum(resolved_flags) "
                             "from marts.quality_summary where run_date = '2026-11-25'")
    # nothing else changed: each person-keyed flag reads as resolved and comes back as new
    assert new == resolved == 20
    report = (work / "marts" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "自本夜起使用新的人员代码密钥" in report
    assert TEST_PSEUDONYM_KEY not in report


def test_after_reset_state_a_run_redoes_every_step_and_publishes_the_same_marts(nights, tmp_path):
    """`povmon reset-state` on a copy of the two nights, then night 3 with --full-refresh:
    every delivery is read and validated again, dbt rebuilds every model and year, the docs
    page and the worklists are written again, and the marts are what a night with nothing
    new publishes (night 2's 32 flags, all still open)."""
    raw, work = nights[0], tmp_path / "work"
    shutil.copytree(nights[1], work, ignore=shutil.ignore_patterns("dagster_home"))
    incidence = query(work / "marts", "select * from marts.poverty_incidence order by all")
    reset = povmon("reset-state", "--warehouse", work / "warehouse" / "warehouse.duckdb",
                   "--marts", work / "marts")
    assert reset.returncode == 0, reset.stderr
    forgotten = dict(re.findall(r"^(\w+) +(\d+) forgotten", reset.stdout, re.M))
    assert list(forgotten) == ["ingest", "validation", "warehouse", "spark", "docs", "worklists",
                               "visit_lists"]
    assert int(forgotten["ingest"]) > 0
    assert forgotten["docs"] == forgotten["worklists"] == forgotten["visit_lists"] == "1"
    assert int(forgotten["warehouse"]) >= 2  # the builds of nights 1 and 2 (and any re-run)
    result = run_pipeline(raw, work, "--run-date", NIGHT3, "--full-refresh")
    ingest = [line for line in result.stdout.splitlines() if line.startswith("  ingest: ")]
    assert ingest and not [line for line in ingest if "unchanged" in line]
    assert "result kept" not in result.stdout
    log = (work / "warehouse" / "logs" / f"run_{NIGHT3}.log").read_text(encoding="utf-8")
    assert "a full refresh asked for" in log and "--full-refresh" in log
    assert re.search(r"  publish .*dbt docs rebuilt", result.stdout)
    assert list((work / "warehouse" / "worklists").glob(f"*/*_{NIGHT3}.csv"))
    assert query(work / "marts", "select * from marts.poverty_incidence order by all") == incidence
    assert query(work / "marts", "select sum(flagged_records), sum(new_flags), "
                 "sum(resolved_flags), sum(still_open_flags) from marts.quality_summary "
                 "where run_date = ?", [NIGHT3]) == [(32, 0, 0, 32)]
