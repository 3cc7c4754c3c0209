"""The dbt project as Dagster assets (staging -> intermediate -> marts), tests as checks.

Nothing here runs at import: `dbt_project()` prepares the project (parses it when its
manifest is missing or older than a source) when first asked, and `warehouse_assets`
makes the assets from its manifest, both called by `build_defs` (pipelines/definitions.py).
"""

import json
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
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
from pipelines.core.settings import DBT_PROJECT_DIR, ENGINES, Settings, night_of
from pipelines.core.store import Warehouse
from pipelines.warehouse.build_inputs import (
    inputs_digest,
    last_build,
    needs_full_refresh,
    project_digest,
    project_files,
    record_build,
)
from pipelines.warehouse.dbt_cli import dbt_cli, environment_for_dbt
from pipelines.warehouse.spark.collect import collect
from pipelines.warehouse.spark.layout import spark_warehouse_dir, staged_dir
from pipelines.warehouse.spark.staged_parquet import export_staged

# The op of the dbt assets, where a run's WarehouseBuild config goes.
WAREHOUSE_OP = "warehouse_models"


class WarehouseBuild(dg.Config):
    """Options of one run's build, set in the launchpad (config of op warehouse_models) or
    by `povmon run --engine/--full-refresh`."""

    engine: str = ""  # duckdb or spark; empty: the settings' (POVMON_ENGINE)
    full_refresh: bool = False  # every year of the year-incremental models, whatever changed


@cache
def dbt_project() -> DbtProject:
    """The dbt project, its manifest up to date with its sources: parsed when the manifest
    is missing or older than any file of the project, so `povmon run`, the tests and
    `dagster dev` always load the graph the SQL describes."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    manifest = project.manifest_path
    newest = max(path.stat().st_mtime for path in project_files(Path(project.project_dir)))
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        # parsing reads the profile, which names the store: any settings do
        dbt_cli(project, Settings.from_env({})).cli(
            ["parse", "--quiet"], target_path=project.target_path).wait()
    return project


def build_target(settings: Settings, engine: str) -> Path:
    """Where the builds of one store on one engine write dbt's artifacts: one folder for
    every night (runs of a store are serial), not a new one per run that would pile up.
    Its own partial-parse file, of its own profile, spares the next night a full parse
    (dagster-dbt seeds a new folder with the project's)."""
    return settings.dbt_target_dir / engine


def _models(project: DbtProject) -> list[dict[str, Any]]:
    nodes = json.loads(project.manifest_path.read_text())["nodes"].values()
    return [node for node in nodes if node["resource_type"] == "model"]


def model_key(node: Mapping[str, Any]) -> dg.AssetKey:
    return dg.AssetKey([node["config"]["schema"], node["name"]])


def mart_keys(project: DbtProject) -> list[dg.AssetKey]:
    """The published marts: every model of schema marts."""
    return [model_key(node) for node in _models(project) if node["config"].get("schema") == "marts"]


def carry_forward_roots(project: DbtProject) -> set[dg.AssetKey]:
    """The models a night with nothing new rebuilds: those tagged every_night in dbt (the
    night's quality history; delivery timeliness, which depends on the run date) and, by
    `_standing_models`, everything downstream of them."""
    return {model_key(node) for node in _models(project)
            if "every_night" in node["config"].get("tags", [])}


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str],
               night: date, target: Path, carry_forward_from: date | None = None) -> Iterator[Any]:
    """`dbt build ARGS` for ``night``, its events streamed to Dagster. The night (and the
    night carried forward from) reach the macros as environment variables
    (macros/quality_run_date.sql says why not as --vars)."""
    values = {"POVMON_RUN_DATE": night.isoformat(),
              "POVMON_CARRY_FORWARD_FROM": carry_forward_from.isoformat() if carry_forward_from else ""}
    with environment_for_dbt(values):
        invocation = dbt.cli(["build", *args], context=context, target_path=target)
    yield from invocation.stream()


class WarehouseTranslator(DagsterDbtTranslator):
    """Models are keyed by layer (``marts/poverty_incidence``) and grouped as warehouse."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return model_key(dbt_resource_props)
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        schema = dbt_resource_props.get("config", {}).get("schema")
        return "quality" if schema in ("quality", "restricted") else "warehouse"


def _standing_models(context: dg.AssetExecutionContext,
                     roots: set[dg.AssetKey]) -> list[dg.AssetKey]:
    """The selected models a carry-forward night leaves as they are, upstream first (Dagster
    takes a multi-asset's outputs in dependency order, and none of these is downstream of
    a rebuilt one)."""
    deps = context.assets_def.asset_deps
    rebuilt = set(roots)
    while grown := {key for key in deps if key not in rebuilt and deps[key] & rebuilt}:
        rebuilt |= grown
    standing = context.selected_asset_keys - rebuilt
    return list(TopologicalSorter({key: deps[key] & standing for key in standing}).static_order())


def _night_unchanged(context: dg.AssetExecutionContext, dbt: DbtCliResource, night: date,
                     since: date, roots: set[dg.AssetKey], target: Path) -> Iterator[Any]:
    """Nothing a model reads changed since ``since``'s build: only the quality history gets
    tonight's rows (carried forward); every other model's table stands, and is reported to
    Dagster as materialized without a rebuild so the publish and report steps run."""
    standing = _standing_models(context, roots)
    for key in standing:
        yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                        metadata={"rebuilt": False, "unchanged_since": since.isoformat()})
    # Every dbt test is of severity error, so the recorded build of `since` passed them all,
    # and these tables are the ones it tested. Said, not left without a result: Dagster
    # would warn once per blocking check on every night with nothing new.
    for check in context.selected_asset_check_keys:
        if check.asset_key in standing:
            yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name,
                                      passed=True, metadata={"rebuilt": False,
                                                             "passed_on_build_of": since.isoformat()})
    # excluded by name: dagster-dbt adds the run's own selection, so a --select would not
    # narrow it, while an --exclude does
    yield from _dbt_build(context, dbt, ["--exclude", " ".join(key.path[-1] for key in standing)],
                          night, target, carry_forward_from=since)


def _build_on_spark(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                    warehouse: Warehouse, night: date, target: Path) -> Iterator[Any]:
    """Every model on Spark (pipelines/warehouse/spark/): tonight's staged deliveries exported as
    Parquet first, the marts and the worklist copied back into the store after, where
    publishing and the reports read them. Always every model: Spark's Parquet tables hold
    no year-incremental state (macros/year_incremental.sql), and a night with nothing new
    is not told apart, so the DuckDB build record is left alone."""
    folder = warehouse.settings.spark_dir
    with warehouse.connect(read_only=True) as conn:
        export_staged(conn, staged_dir(folder), log=context.log.info)
    yield from _dbt_build(context, dbt, [], night, target)
    with warehouse.connect() as conn:
        rows = collect(conn, spark_warehouse_dir(folder), target / "manifest.json")
    context.log.info(f"Spark build: {len(rows)} tables copied into the store "
                     f"({sum(rows.values()):,} rows)")


def warehouse_assets(project: DbtProject) -> dg.AssetsDefinition:
    """Every dbt model as an asset and every dbt test as its check, built by one op."""
    roots = carry_forward_roots(project)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name=WAREHOUSE_OP,
        dagster_dbt_translator=WarehouseTranslator(
            settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
        ),
    )
    def warehouse_models(context: dg.AssetExecutionContext, config: WarehouseBuild,
                         warehouse: dg.ResourceParam[Warehouse]) -> Iterator[Any]:
        """dbt build: every model and its tests, in dependency order, the quality flags filed
        under the run's night; or, when nothing a model reads changed since the last build
        (pipelines/warehouse/build_inputs.py), only the night's quality history. Without the
        pseudonym key nothing is built, so nothing can be published (core/pseudonym.py)."""
        engine = config.engine or warehouse.engine
        if engine not in ENGINES:
            raise dg.Failure(f"engine {engine!r}: the engines are {', '.join(ENGINES)}")
        key = pseudonym_key(warehouse.settings.key)
        night = night_of(context.run.tags)
        with warehouse.connect() as conn:
            try:
                restarts = record_key(conn, key, night, context.run.tags.get(NEW_KEY_TAG) == "1")
            except PseudonymKeyChanged as error:
                raise dg.Failure(str(error)) from error
        if restarts:
            context.log.warning(f"a new pseudonym key from tonight ({night}): flag continuity "
                                "restarts (earlier flags read as resolved, tonight's as new)")
        dbt = dbt_cli(project, warehouse.settings, engine)
        target = build_target(warehouse.settings, engine)
        if engine == "spark":
            yield from _build_on_spark(context, dbt, warehouse, night, target)
            return
        project_dir = Path(project.project_dir)
        models = project_digest(project_dir, key)
        with warehouse.connect(read_only=True) as conn:
            digest = inputs_digest(conn, project_dir, key)
            last = last_build(conn)
        everything = context.selected_asset_keys == context.assets_def.keys
        if everything and not config.full_refresh and last is not None and last.digest == digest:
            context.log.info(f"nothing a model reads changed since the build of {last.night}: "
                             "only the quality history is built for tonight")
            yield from _night_unchanged(context, dbt, night, last.night, roots, target)
        else:
            args = []
            if config.full_refresh or needs_full_refresh(last, models):
                context.log.info("first build, a full refresh asked for, or the dbt project or "
                                 "the key changed: every year of the year-incremental models "
                                 "is rebuilt")
                args.append("--full-refresh")
            yield from _dbt_build(context, dbt, args, night, target)
        if everything:  # a build of some models proves nothing about the others
            with warehouse.connect() as conn:
                record_build(conn, night, digest, models)

    return warehouse_models
