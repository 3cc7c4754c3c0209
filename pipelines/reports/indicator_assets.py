"""The indicator report asset: the statistician's page of the night's marts, after they
are published."""

import dagster as dg

from pipelines.core.settings import night_of
from pipelines.core.store import Warehouse
from pipelines.reports.indicators import write_indicator_report
from pipelines.reports.visit_lists import write_visit_lists


@dg.asset(
    key=dg.AssetKey(["report", "indicators"]),
    group_name="publish",
    deps=[dg.AssetKey(["publish", "published_marts"]), dg.AssetKey(["restricted", "visit_list"])],
    description="<marts>/report/index.html (+ the night's dated copy): 贫困发生率 against the "
    "exit threshold, coverage gaps, reimbursement and fund execution against their targets, "
    "MPI and its decomposition, FGT, delivery timeliness, flagged outliers, 防返贫监测. "
    "Aggregates only. And the county visit lists (入户核实清单) with ID numbers and names "
    "under <warehouse dir>/worklists/<county code>/ (restricted, never published).",
    kinds={"html", "xlsx"},
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
        visit_lists = write_visit_lists(conn, night, warehouse.settings.worklists_dir)
    to_visit = sum(v.households for v in visit_lists)
    context.log.info(f"indicator report {index}: {late} late and {missing} missing deliveries, "
                     f"{outliers} flagged outliers; {to_visit:,} households to visit (入户核实清单 "
                     f"for {len(visit_lists)} counties under {warehouse.settings.worklists_dir})")
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(index)),
        "night": night.isoformat(),
        "late_deliveries": late,
        "missing_deliveries": missing,
        "flagged_outliers": outliers,
        "households_to_visit": to_visit,
        "county_visit_lists": len(visit_lists),
    })  # fmt: skip
