"""The indicator report asset: the statistician's page of the night's marts, after they
are published."""

import dagster as dg

from pipelines.core.settings import night_of
from pipelines.core.store import Warehouse
from pipelines.reports.indicators import write_indicator_report


@dg.asset(
    key=dg.AssetKey(["report", "indicators"]),
    group_name="publish",
    deps=[dg.AssetKey(["publish", "published_marts"])],
    description="<marts>/report/index.html (+ the night's dated copy): 贫困发生率 against the "
    "exit threshold, coverage gaps, reimbursement and fund execution against their targets, "
    "MPI and its decomposition, FGT, delivery timeliness, flagged outliers. Aggregates only.",
    kinds={"html"},
)
def indicator_report(context: dg.AssetExecutionContext,
                     warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
    night = night_of(context.run.tags)
    with warehouse.connect(read_only=True) as conn:
        index = write_indicator_report(conn, night, warehouse.marts_dir,
                                       warehouse.settings.key.demo)
        late, missing = conn.execute(
            "select count(*) filter (where status = 'late'), count(*) filter (where status = 'missing') "
            "from marts.delivery_timeliness").fetchall()[0]
        outliers = conn.execute(
            "select count(*) from marts.indicator_outliers where flagged").fetchall()[0][0]
    context.log.info(f"indicator report {index}: {late} late and {missing} missing deliveries, "
                     f"{outliers} flagged outliers")
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(index)),
        "night": night.isoformat(),
        "late_deliveries": late,
        "missing_deliveries": missing,
        "flagged_outliers": outliers,
    })  # fmt: skip
