"""The publish asset: runs after every mart and dbt test succeeded."""


from pathlib import Path

import dagster as dg

from pipelines.assets.warehouse import MART_KEYS
from pipelines.publish.publish import publish
from pipelines.resources import Warehouse


@dg.asset(
    key=dg.AssetKey(["publish", "published_marts"]),
    group_name="publish",
    deps=MART_KEYS,
    description="<marts>/warehouse.duckdb (schema marts, renamed into place atomically) and "
    "<marts>/<mart>.parquet; no personal data.",
    kinds={"duckdb", "parquet"},
)
def published_marts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    result = publish(Path(warehouse.path), Path(warehouse.marts_dir))
    context.log.info(f"published {len(result.tables)} marts to {result.database}")
    return dg.MaterializeResult(
        metadata={
            "database": dg.MetadataValue.path(str(result.database)),
            **{f"rows_{table}": rows for table, rows in result.tables.items()},
        }
    )
