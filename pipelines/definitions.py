"""The single Dagster Definitions object: `dagster dev`, `dagster asset materialize`,
the schedule, the sensor and `povmon run` all load this."""


import dagster as dg

from pipelines.core.duckdb_limits import export_for_dbt
from pipelines.core.settings import Settings

settings = Settings.from_env()
settings.export()  # before the dbt project is parsed: its profile reads the warehouse path
export_for_dbt()  # and DuckDB's memory and thread caps

from pipelines.core.store import Warehouse  # noqa: E402
from pipelines.ingest.assets import feed_assets, ingest_log  # noqa: E402
from pipelines.publish.assets import published_marts  # noqa: E402
from pipelines.reports.indicator_assets import indicator_report  # noqa: E402
from pipelines.reports.quality_assets import quality_report  # noqa: E402
from pipelines.schedules import (  # noqa: E402
    new_delivery_sensor,
    nightly_job,
    nightly_schedule,
    run_failure_notice,
)
from pipelines.validation.assets import suite_checks  # noqa: E402
from pipelines.warehouse.assets import dbt_cli, dbt_project, warehouse_models  # noqa: E402

defs = dg.Definitions(
    assets=[*feed_assets, ingest_log, warehouse_models, published_marts, quality_report,
            indicator_report],
    asset_checks=suite_checks,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[new_delivery_sensor, run_failure_notice],
    resources={
        "warehouse": Warehouse(
            raw_dir=str(settings.raw_dir),
            path=str(settings.warehouse_path),
            marts_dir=str(settings.marts_dir),
            engine=settings.engine,
            min_usable_share=settings.ingest_limits.min_usable_share,
            max_unzipped_bytes=settings.ingest_limits.max_unzipped_bytes,
        ),
        "dbt": dbt_cli(dbt_project, settings.engine),
    },
    # DuckDB takes one writer process per file: steps run one after another, in-process.
    executor=dg.in_process_executor,
)
