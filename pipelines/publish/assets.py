"""The publish asset: runs after every mart and dbt test succeeded."""


import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from pipelines.core.pseudonym import pseudonym_key
from pipelines.core.settings import Settings
from pipelines.core.state import DOCS_STAMP, read_stamp, write_stamp
from pipelines.core.store import Warehouse
from pipelines.publish.publish import publish
from pipelines.warehouse.assets import build_target, mart_keys
from pipelines.warehouse.dbt_cli import dbt_cli

DOCS_FOLDER = "docs"
# dbt's page carries a loader for Snowplow's tracker from a CDN (run only with usage stats
# on, which povmon turns off): its address is removed, so the page names nothing online.
TRACKER_URL = re.compile(r'(?<=\.src=)"//[^"]+"')


def _checksums(manifest: dict) -> dict[str, str]:
    return {uid: node["checksum"]["checksum"] for uid, node in manifest["nodes"].items()}


def _compiled_build_manifest(project: DbtProject, settings: Settings) -> Path | None:
    """The manifest of the night's DuckDB build, when it is of the project as it is now and
    compiled every model: the docs are then made from it without compiling again (dbt
    `--no-compile`: a fifth of the time)."""
    built = build_target(settings, "duckdb") / "manifest.json"
    if not built.exists():
        return None
    manifest = json.loads(built.read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    if not all(node.get("compiled") for node in models):
        return None  # a night with nothing new compiles only the models it rebuilds
    parsed = json.loads(project.manifest_path.read_text())
    return built if _checksums(manifest) == _checksums(parsed) else None


def build_docs(dbt: DbtCliResource, project: DbtProject, settings: Settings) -> Path | None:
    """`dbt docs generate --static`: one self-contained page, built beside the marts under
    a hidden name; the caller moves it into place. None when the published page was built
    from the same manifest (the models, columns and descriptions have not changed), which
    saves a dbt invocation on most nights."""
    marts_dir = settings.marts_dir
    digest = hashlib.sha256(project.manifest_path.read_bytes()).hexdigest()
    stamp = marts_dir / DOCS_FOLDER / DOCS_STAMP
    if read_stamp(stamp) == {"manifest": digest}:
        return None
    building = marts_dir / f".{DOCS_FOLDER}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    compiled = _compiled_build_manifest(project, settings)
    with tempfile.TemporaryDirectory() as target:
        if compiled is not None:
            shutil.copyfile(compiled, Path(target) / "manifest.json")
        dbt.cli(["docs", "generate", "--static", *(["--no-compile"] if compiled else [])],
                manifest=project.manifest_path, target_path=Path(target)).wait()
        page = (Path(target) / "static_index.html").read_text(encoding="utf-8")
        (building / "index.html").write_text(TRACKER_URL.sub('""', page), encoding="utf-8")
    write_stamp(building / DOCS_STAMP, {"manifest": digest})
    return building


def published_marts_asset(project: DbtProject) -> dg.AssetsDefinition:
    """The publish step, after every mart of ``project``."""

    @dg.asset(
        key=dg.AssetKey(["publish", "published_marts"]),
        group_name="publish",
        deps=mart_keys(project),
        description="<marts>/warehouse.duckdb (schema marts, renamed into place atomically), "
        "<marts>/<mart>.parquet and <marts>/docs/index.html (dbt docs); no personal data.",
        kinds={"duckdb", "parquet"},
    )
    def published_marts(context: dg.AssetExecutionContext,
                        warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
        pseudonym_key(warehouse.settings.key)  # no key, no publication (the marts carry person_key)
        marts_dir = warehouse.marts_dir
        docs = build_docs(dbt_cli(project, warehouse.settings, "duckdb"), project, warehouse.settings)
        result = publish(warehouse.path, marts_dir, warehouse.settings.duckdb)
        if docs is not None:
            shutil.rmtree(marts_dir / DOCS_FOLDER, ignore_errors=True)
            docs.rename(marts_dir / DOCS_FOLDER)
        context.log.info(f"published {len(result.tables)} marts to {result.database}, "
                         f"{len(result.changed)} of them changed ({', '.join(result.changed) or 'none'})"
                         + ("" if docs else "; dbt docs unchanged (same manifest), kept"))
        return dg.MaterializeResult(
            metadata={
                "database": dg.MetadataValue.path(str(result.database)),
                "docs": dg.MetadataValue.path(str(marts_dir / DOCS_FOLDER / "index.html")),
                "docs_rebuilt": docs is not None,
                "changed_marts": ", ".join(result.changed),
                **{f"rows_{table}": rows for table, rows in result.tables.items()},
            }
        )

    return published_marts
