"""The dbt project as Dagster assets (staging -> intermediate -> marts), tests as checks."""


import json
from collections.abc import Iterator, Mapping
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

from pipelines.pseudonym import pseudonym_key
from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, night_of

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_cli(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(
        project_dir=project, profiles_dir=str(project.project_dir), dbt_executable=DBT_EXECUTABLE
    )


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        files += [p for p in (project_dir / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files)


def ensure_manifest(project: DbtProject) -> None:
    """Parse the project when its manifest is missing or older than any model, so that
    `povmon run`, tests and `dagster dev` always load the graph the SQL describes."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
        project.project_dir
    ):
        dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()


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

MART_KEYS = [
    dg.AssetKey(["marts", node["name"]])
    for node in json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(
        settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
    ),
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """dbt build: every model and its tests, in dependency order, the quality flags filed
    under the run's night. One target folder for every run (runs are serial), not a new one
    per run that would pile up night after night. Without the pseudonym key nothing is
    built, so nothing can be published (pipelines/pseudonym.py)."""
    pseudonym_key()
    night = night_of(context.run.tags)
    yield from dbt.cli(["build", "--vars", json.dumps({"run_date": night.isoformat()})],
                       context=context, target_path=dbt_project.target_path / "nightly").stream()
