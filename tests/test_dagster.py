"""The Dagster side: one Definitions object with the whole graph, the nightly schedule and
the new-delivery sensor, as `dagster dev` and `dagster asset materialize` load them."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster_dbt import DbtCliResource

from pipelines.core.settings import REPO_ROOT, Settings
from pipelines.core.store import Warehouse
from pipelines.definitions import build_defs
from pipelines.schedules import SENSOR_DESCRIPTION
from pipelines.warehouse.assets import carry_forward_roots, dbt_project
from pipelines.warehouse.dbt_cli import dbt_cli
from tests.deliveries import STANDARDS_HEADER, deliver


def settings_on(folder: Path, **environ: str) -> Settings:
    return Settings.from_env({"POVMON_RAW_DIR": str(folder), "POVMON_DEMO": "1",
                              "POVMON_WAREHOUSE": str(folder / "w" / "warehouse.duckdb"),
                              "POVMON_MARTS_DIR": str(folder / "marts"), **environ})


defs = build_defs(settings_on(Path("/nonexistent")))
nightly_schedule = defs.resolve_schedule_def("nightly_0200_shanghai")


def test_graph_has_an_asset_per_feed_the_dbt_models_and_publish():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    feeds = {"raw/population", "raw/standards", "raw/registry", "raw/dibao", "raw/medical",
             "raw/education", "raw/funds", "raw/monitoring", "raw/ingest_log"}
    assert feeds <= keys
    assert {"marts/poverty_incidence", "marts/ingest_reconciliation",
            "intermediate/int_registry_persons", "publish/published_marts"} <= keys


def test_publish_waits_for_every_mart_and_marts_wait_for_the_feeds():
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["publish", "published_marts"]))
    assert {k.to_user_string() for k in publish.parent_keys} == {
        "marts/poverty_incidence", "marts/ingest_reconciliation", "marts/program_coverage",
        "marts/medical_reimbursement", "marts/fund_execution", "marts/multidimensional_poverty",
        "marts/quality_flags", "marts/quality_resolved_flags", "marts/quality_summary",
        "marts/mpi_decomposition", "marts/mpi_cutoff_sensitivity", "marts/income_poverty_gap",
        "marts/delivery_timeliness", "marts/delivery_completeness", "marts/indicator_outliers",
        "marts/household_cards", "marts/risk_signals", "marts/monitoring_summary"}
    upstream = {k.to_user_string() for k in graph.upstream_key_iterator(
        dg.AssetKey(["marts", "poverty_incidence"]))}
    assert {"raw/registry", "raw/population", "raw/standards", "raw/ingest_log"} <= upstream


def test_dbt_tests_are_asset_checks():
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_grain_poverty_incidence_year__area_code" in checks
    assert "assert_rows_read_add_up" in checks


def test_schedule_runs_the_whole_job_at_two_in_the_morning_beijing_time():
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Shanghai"
    assert nightly_schedule.job_name == "nightly"
    when = datetime(2026, 11, 24, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    context = dg.build_schedule_context(scheduled_execution_time=when)
    [request] = nightly_schedule.evaluate_tick(context).run_requests
    assert request.tags["povmon/run_date"] == "2026-11-24"  # the night, in Beijing time


def test_quality_report_comes_after_the_flags_and_the_publication():
    graph = defs.resolve_asset_graph()
    report = graph.get(dg.AssetKey(["quality", "report"]))
    assert report.group_name == "quality"
    assert {k.to_user_string() for k in report.parent_keys} == {
        "publish/published_marts", "restricted/quality_worklist"}
    upstream = {k.to_user_string() for k in graph.upstream_key_iterator(report.key)}
    assert {"quality/qr01_invalid_id_number", "quality/qr17_household_head_count",
            "marts/quality_flags", "marts/quality_summary"} <= upstream


def test_indicator_report_and_visit_lists_come_after_the_publication():
    report = defs.resolve_asset_graph().get(dg.AssetKey(["report", "indicators"]))
    assert {k.to_user_string() for k in report.parent_keys} == {"publish/published_marts",
                                                                "restricted/visit_list"}


def test_a_night_with_nothing_new_still_rebuilds_what_depends_on_the_run_date():
    assert {k.to_user_string() for k in carry_forward_roots(dbt_project())} == {
        "restricted/quality_worklist", "quality/quality_check_history",
        "marts/delivery_timeliness", "marts/delivery_completeness"}


@pytest.fixture
def sensor_on(tmp_path):
    sensor = defs.resolve_sensor_def("new_delivery_sensor")
    warehouse = Warehouse(settings_on(tmp_path))

    def evaluate(cursor):
        context = dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse})
        result = sensor.evaluate_tick(context)
        return result.run_requests, result.skip_message, result.cursor

    return evaluate


def test_sensor_starts_a_run_for_a_new_complete_delivery_only(sensor_on, tmp_path):
    requests, skip, cursor = sensor_on(None)
    assert requests == [] and skip == "no new complete delivery"
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows}, complete=False)
    requests, skip, cursor = sensor_on(cursor)
    assert requests == [] and skip == "no new complete delivery"

    (tmp_path / "standards" / "2020-01-15" / "_SUCCESS").touch()
    requests, _, cursor = sensor_on(cursor)
    assert len(requests) == 1
    assert requests[0].tags["povmon/new_deliveries"] == "standards/2020-01-15"
    assert defs.resolve_sensor_def("new_delivery_sensor").job_name == "nightly"

    requests, skip, cursor = sensor_on(cursor)
    assert requests == [] and skip == "no new complete delivery"


def test_sensor_sees_a_corrected_redelivery_by_its_new_success_marker(sensor_on, tmp_path):
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]
    folder = deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows})
    _, _, cursor = sensor_on(None)
    stamp = (folder / "_SUCCESS").stat().st_mtime_ns + 10**9
    os.utime(folder / "_SUCCESS", ns=(stamp, stamp))
    requests, _, _ = sensor_on(cursor)
    assert len(requests) == 1


@pytest.mark.slow
def test_dagster_cli_loads_the_definitions():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate",
         "-m", "pipelines.definitions"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


def test_every_staged_table_has_a_contract_and_a_quality_check_on_its_feed():
    from pipelines.feeds import FEEDS

    graph = defs.resolve_asset_graph()
    for feed in FEEDS.values():
        on_feed = {k.name for k in graph.asset_check_keys
                   if k.asset_key == dg.AssetKey(["raw", feed.id])}  # fmt: skip
        assert on_feed == {f"{t.name}_{kind}" for t in feed.tables
                           for kind in ("contract", "quality")}  # fmt: skip


def definitions_in(environ: dict[str, str]) -> str:
    """The new-delivery sensor's default status and description, then the schedule's and
    the run-failure sensor's status, from Definitions loaded in ``environ``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("POVMON_PSEUDONYM_KEY", "POVMON_PSEUDONYM_KEY_FILE", "POVMON_DEMO")}
    result = subprocess.run([sys.executable, "-c", (
        "from pipelines.definitions import defs; defs = defs(); "
        "s = defs.resolve_sensor_def('new_delivery_sensor'); "
        "print(s.default_status.value); print(s.description); "
        "print(defs.resolve_schedule_def('nightly_0200_shanghai').default_status.value); "
        "print(defs.resolve_sensor_def('run_failure_notice').default_status.value)")],
        capture_output=True, text=True, timeout=300, env={**env, **environ})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_schedule_and_sensors_are_stopped_and_say_why_until_a_pseudonym_key_is_configured(tmp_path):
    status, description, schedule, failures = definitions_in({}).splitlines()
    assert (status, schedule, failures) == ("STOPPED", "STOPPED", "STOPPED")
    assert "Stopped: POVMON_PSEUDONYM_KEY is not set, so every run it started would fail" in description
    assert definitions_in({"POVMON_DEMO": "1"}).splitlines()[0] == "RUNNING"
    assert definitions_in({"POVMON_PSEUDONYM_KEY": "k"}).splitlines() == [
        "RUNNING", SENSOR_DESCRIPTION, "RUNNING", "RUNNING"]
    key = tmp_path / "pseudonym-key"
    key.write_text("k\n")
    assert definitions_in({"POVMON_PSEUDONYM_KEY_FILE": str(key)}).splitlines() == [
        "RUNNING", SENSOR_DESCRIPTION, "RUNNING", "RUNNING"]


@pytest.mark.slow
def test_a_second_nightly_run_waits_in_the_queue_while_one_is_in_progress(tmp_path):
    """The instance of dagster_home/ (what `dagster dev` uses) queues runs and lets one run
    carrying the warehouse-writer tag be in progress at a time."""
    from dagster._utils.tags import TagConcurrencyLimitsCounter

    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", tmp_path)
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert limits == [{"key": "povmon/warehouse", "value": "writer", "limit": 1}]
    job = defs.resolve_job_def("nightly")
    first, second = (instance.create_run_for_job(job, tags=job.tags) for _ in range(2))
    assert second.tags["povmon/warehouse"] == "writer"
    assert TagConcurrencyLimitsCounter(limits, [first]).is_blocked(second)
    assert not TagConcurrencyLimitsCounter(limits, []).is_blocked(second)


def test_the_dbt_resource_skips_dbt_version_and_the_in_process_adapter():
    """pipelines/warehouse/dbt_cli.py overrides two private members of dagster-dbt's resource: an
    upgrade that renames them would bring the 8.5 s back silently, so their names are held
    here; and the version it reports is the installed dbt-core's, which `dbt --version`
    prints."""
    assert "_cli_version" in vars(DbtCliResource)
    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)
    dbt = dbt_cli(dbt_project(), settings_on(Path("/nonexistent")))
    assert str(dbt._cli_version) == importlib.metadata.version("dbt-core")
    printed = subprocess.run([str(Path(sys.executable).with_name("dbt")), "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert f"installed: {dbt._cli_version}" in printed
    assert dbt._initialize_dbt_core_adapter(["build"]) is None


def test_the_build_options_are_config_of_the_dbt_step_a_launch_can_set():
    """What `povmon run --engine/--full-refresh` pass, the launchpad sets too: config of
    op warehouse_models, defaulting to the settings' engine and no full refresh."""
    ops = defs.resolve_job_def("nightly").run_config_schema.config_type.fields["ops"]
    fields = ops.config_type.fields["warehouse_models"].config_type.fields["config"].config_type.fields
    assert {name: field.default_value for name, field in fields.items()} == {
        "engine": "", "full_refresh": False}


def test_an_unknown_engine_in_the_launch_config_fails_the_step_and_says_which_there_are(tmp_path):
    from pipelines.warehouse.assets import warehouse_assets

    result = dg.materialize(
        [warehouse_assets(dbt_project())], resources={"warehouse": Warehouse(settings_on(tmp_path))},
        run_config={"ops": {"warehouse_models": {"config": {"engine": "hive"}}}},
        raise_on_error=False)
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "engine 'hive': the engines are duckdb, spark" in failure.event_specific_data.error.message
