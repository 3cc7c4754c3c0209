"""The dbt project as Dagster assets (staging -> intermediate -> marts), tests as checks."""


import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines.core.pseudonym import NEW_KEY_TAG, PseudonymKeyChanged, pseudonym_key, record_key
from pipelines.core.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, SPARK_DBT_EXECUTABLE, night_of
from pipelines.core.store import Warehouse
from pipelines.warehouse.build_inputs import (
    inputs_digest,
    last_build,
    needs_full_refresh,
    project_digest,
    record_build,
)
from pipelines.warehouse.dbt_cli import DbtCli
from pipelines.warehouse.spark.collect import collect
from pipelines.warehouse.spark.layout import spark_dir, spark_warehouse_dir, staged_dir
from pipelines.warehouse.spark.staged_parquet import export_staged

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_cli(project: DbtProject, engine: str = "duckdb") -> DbtCli:
    """dbt on the engine's target: DuckDB's dbt, or dbt inside povmon's Spark session
    (pipelines/warehouse/spark/dbt_entry.py)."""
    if engine == "spark":
        return DbtCli(project_dir=project, profiles_dir=str(project.project_dir),
                      dbt_executable=SPARK_DBT_EXECUTABLE, target="spark")
    return DbtCli(project_dir=project, profiles_dir=str(project.project_dir),
                  dbt_executable=DBT_EXECUTABLE)


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += [p for p in (project_dir / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files)


def ensure_manifest(project: DbtProject) -> None:
    """Parse the project when its manifest is missing or older than any model or seed, so that
    `povmon run`, tests and `dagster dev` always load the graph the SQL describes."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
        project.project_dir
    ):
        dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()


@contextmanager
def _night_environment(night: date, carry_forward_from: date | None) -> Iterator[None]:
    """The night (and the night carried forward from) where the dbt macros read them
    (macros/quality_run_date.sql says why not as --vars), set only while dbt starts: the
    subprocess copies the environment then."""
    values = {"POVMON_RUN_DATE": night.isoformat(),
              "POVMON_CARRY_FORWARD_FROM": carry_forward_from.isoformat() if carry_forward_from else ""}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str],
               night: date, carry_forward_from: date | None = None,
               target: Path | None = None) -> Iterator[Any]:
    """`dbt build ARGS` for ``night``, its events streamed to Dagster."""
    with _night_environment(night, carry_forward_from):
        invocation = dbt.cli(["build", *args], context=context,
                             target_path=target or dbt_project.target_path / "nightly")
    yield from invocation.stream()


class WarehouseTranslator(DagsterDbtTranslator):
    """Models are keyed by layer (``marts/poverty_incidence``) and grouped as warehouse."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return dg.AssetKey([dbt_resource_props["config"]["schema"],
                                dbt_resource_props["name"]])  # fmt: skip
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        schema = dbt_resource_props.get("config", {}).get("schema")
        return "quality" if schema in ("quality", "restricted") else "warehouse"


ensure_manifest(dbt_project)

_MODELS = [node for node in json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
           if node["resource_type"] == "model"]
MART_KEYS = [dg.AssetKey(["marts", node["name"]]) for node in _MODELS
             if node["config"].get("schema") == "marts"]
# The models a night with nothing new rebuilds: those tagged every_night in dbt (the
# night's quality history; delivery timeliness, which depends on the run date) and
# everything downstream of them.
CARRY_FORWARD_ROOTS = {dg.AssetKey([node["config"]["schema"], node["name"]]) for node in _MODELS
                       if "every_night" in node["config"].get("tags", [])}


def _standing_models(context: dg.AssetExecutionContext) -> list[dg.AssetKey]:
    """The selected models a carry-forward night leaves as they are, upstream first (Dagster
    takes a multi-asset's outputs in dependency order, and none of these is downstream of
    a rebuilt one)."""
    deps = context.assets_def.asset_deps
    rebuilt = set(CARRY_FORWARD_ROOTS)
    while grown := {key for key in deps if key not in rebuilt and deps[key] & rebuilt}:
        rebuilt |= grown
    standing = context.selected_asset_keys - rebuilt
    return list(TopologicalSorter({key: deps[key] & standing for key in standing}).static_order())


def _night_unchanged(context: dg.AssetExecutionContext, dbt: DbtCliResource, night: date,
                     since: date) -> Iterator[Any]:
    """Nothing a model reads changed since ``since``'s build: only the quality history gets
    tonight's rows (carried forward); every other model's table stands, and is reported to
    Dagster as materialized without a rebuild so the publish and report steps run."""
    standing = _standing_models(context)
    for key in standing:
        yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                        metadata={"rebuilt": False, "unchanged_since": since.isoformat()})
    # Every dbt test is of severity error, so the recorded build of `since` passed them all,
    # and these tables are the ones it tested. Said, not left without a result: Dagster
    # would warn once per blocking check, 66 lines on every night with nothing new.
    for check in context.selected_asset_check_keys:
        if check.asset_key in standing:
            yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name,
                                      passed=True, metadata={"rebuilt": False,
                                                             "passed_on_build_of": since.isoformat()})
    # excluded by name: dagster-dbt adds the run's own selection, so a --select would not
    # narrow it, while an --exclude does
    yield from _dbt_build(context, dbt, ["--exclude", " ".join(key.path[-1] for key in standing)],
                          night, carry_forward_from=since)


def _build_on_spark(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                    warehouse: Warehouse, night: date) -> Iterator[Any]:
    """Every model on Spark (pipelines/warehouse/spark/): tonight's staged deliveries exported as
    Parquet first, the marts and the worklist copied back into the store after, where
    publishing and the reports read them. Always every model: Spark's Parquet tables hold
    no year-incremental state (macros/year_incremental.sql), and a night with nothing new
    is not told apart, so the DuckDB build record is left alone."""
    folder = spark_dir(Path(warehouse.path))
    with warehouse.connect(read_only=True) as conn:
        export_staged(conn, staged_dir(folder), log=context.log.info)
    target = dbt_project.target_path / "spark"
    yield from _dbt_build(context, dbt, [], night, target=target)
    with warehouse.connect() as conn:
        rows = collect(conn, spark_warehouse_dir(folder),
                       Path(dbt_project.project_dir) / target / "manifest.json")
    context.log.info(f"Spark build: {len(rows)} tables copied into the store "
                     f"({sum(rows.values()):,} rows)")


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(
        settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
    ),
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                     warehouse: Warehouse) -> Iterator[Any]:
    """dbt build: every model and its tests, in dependency order, the quality flags filed
    under the run's night; or, when nothing a model reads changed since the last build
    (pipelines/warehouse/build_inputs.py), only the night's quality history. One target folder for
    every run (runs are serial), not a new one per run that would pile up night after
    night. Without the pseudonym key nothing is built, so nothing can be published
    (pipelines/core/pseudonym.py)."""
    key = pseudonym_key()
    night = night_of(context.run.tags)
    with warehouse.connect() as conn:
        try:
            restarts = record_key(conn, key, night, context.run.tags.get(NEW_KEY_TAG) == "1")
        except PseudonymKeyChanged as error:
            raise dg.Failure(str(error)) from error
    if restarts:
        context.log.warning(f"a new pseudonym key from tonight ({night}): flag continuity "
                            "restarts (earlier flags read as resolved, tonight's as new)")
    if warehouse.engine == "spark":
        yield from _build_on_spark(context, dbt, warehouse, night)
        return
    project = project_digest(DBT_PROJECT_DIR, key)
    with warehouse.connect(read_only=True) as conn:
        digest = inputs_digest(conn, DBT_PROJECT_DIR, key)
        last = last_build(conn)
    everything = context.selected_asset_keys == context.assets_def.keys
    if everything and last is not None and last.digest == digest:
        context.log.info(f"nothing a model reads changed since the build of {last.night}: "
                         "only the quality history is built for tonight")
        yield from _night_unchanged(context, dbt, night, last.night)
    else:
        args = []
        if needs_full_refresh(last, project):
            context.log.info("first build, or the dbt project or the key changed: every year "
                             "of the year-incremental models is rebuilt")
            args.append("--full-refresh")
        yield from _dbt_build(context, dbt, args, night)
    if everything:  # a build of some models proves nothing about the others
        with warehouse.connect() as conn:
            record_build(conn, night, digest, project)
