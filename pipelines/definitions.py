"""The Dagster definitions, built by `build_defs(settings)`: `dagster dev` and
`dagster asset materialize` load `defs` (called by Dagster when it loads this code location,
never at import), `povmon run` and the tests call `build_defs` with their own settings.
Importing this module reads nothing, starts nothing and leaves the environment as it was."""

import dagster as dg

from pipelines.core.settings import Settings
from pipelines.core.store import Warehouse
from pipelines.ingest.assets import feed_assets, ingest_log
from pipelines.publish.assets import published_marts_asset
from pipelines.reports.indicator_assets import indicator_report
from pipelines.reports.quality_assets import quality_report
from pipelines.schedules import build_automation, nightly_job
from pipelines.validation.assets import suite_checks
from pipelines.warehouse.assets import dbt_project, warehouse_assets


def build_defs(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor, on ``settings``' folders; the dbt
    project is prepared (parsed if need be) here, when first asked."""
    project = dbt_project()
    schedule, sensors = build_automation(settings)
    return dg.Definitions(
        assets=[*feed_assets, ingest_log, warehouse_assets(project),
                published_marts_asset(project), quality_report, indicator_report],
        asset_checks=suite_checks,
        jobs=[nightly_job],
        schedules=[schedule],
        sensors=sensors,
        resources={"warehouse": dg.ResourceDefinition.hardcoded_resource(
            Warehouse(settings), "the restricted store and every setting (POVMON_*)")},
        # DuckDB takes one writer process per file: steps run one after another, in-process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location of `dagster dev` and the daemon: settings from the environment."""
    return build_defs(Settings.from_env())
