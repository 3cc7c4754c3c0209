"""Great Expectations suites as Dagster asset checks on the feed assets: two per staged
table. `<table>_contract` is blocking: when it fails, the marts downstream are not built
in that run and the check says why. `<table>_quality` only warns. Each runs GX on the
deliveries it has not validated yet (pipelines/validation/run.py) and reports the table."""

import dagster as dg

from pipelines.core.store import Warehouse
from pipelines.feeds import FEEDS, Feed, Table
from pipelines.ingest.assets import feed_asset_key
from pipelines.validation.run import validate


def build_suite_check(feed: Feed, table: Table, kind: str) -> dg.AssetChecksDefinition:
    blocking = kind == "contract"

    @dg.asset_check(
        asset=feed_asset_key(feed.id),
        name=f"{table.name}_{kind}",
        blocking=blocking,
        description=f"GX suite {table.name}.{kind} on {table.staged_name}, run in DuckDB"
        + (" (blocks the marts when it fails)" if blocking else " (warnings)"),
    )
    def _check(warehouse: dg.ResourceParam[Warehouse]) -> dg.AssetCheckResult:
        outcome = validate(
            warehouse=warehouse.path,
            limits=warehouse.settings.duckdb,
            gx_root=warehouse.gx_root,
            table=table,
            kind=kind,
        )
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=outcome.summary(),
            metadata={
                "expectations": outcome.evaluated,
                "failed": len(outcome.failures),
                "deliveries_validated": len(outcome.validated),
                "deliveries_unchanged": outcome.kept,
                **{f"{f['rule']}:{f['expectation']}:{f['column'] or ''}": f["unexpected"] or 0
                   for f in outcome.failures},  # fmt: skip
            },
        )

    return _check


suite_checks = [
    build_suite_check(feed, table, kind)
    for feed in FEEDS.values()
    for table in feed.tables
    for kind in ("contract", "quality")
]
