"""The quality report asset: county worklists (restricted) and the HTML report (published),
after the flags are built and the marts published."""

import dagster as dg

from pipelines.core.settings import night_of
from pipelines.core.store import Warehouse
from pipelines.reports.quality_report import write_report
from pipelines.reports.validation_results import write_data_docs
from pipelines.reports.worklists import write_worklists

RULE_COUNTS = """
    select rule_id, sum(flagged_records), sum(new_flags), sum(resolved_flags)
    from marts.quality_summary where run_date = ? group by rule_id order by rule_id
"""


@dg.asset(
    key=dg.AssetKey(["quality", "report"]),
    group_name="quality",
    deps=[dg.AssetKey(["publish", "published_marts"]), dg.AssetKey(["restricted", "quality_worklist"])],
    description="<marts>/quality/index.html (+ the night's dated copy): reconciliation, flags "
    "by rule/feed/county, trend, worst counties; the validation results "
    "(<marts>/quality/data_docs/index.html); county worklists with ID numbers and names "
    "under <warehouse dir>/worklists/<county code>/ (restricted, never published).",
    kinds={"html", "xlsx"},
)
def quality_report(context: dg.AssetExecutionContext,
                   warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
    night = night_of(context.run.tags)
    worklists_dir = warehouse.settings.worklists_dir
    with warehouse.connect(read_only=True) as conn:
        worklists = write_worklists(conn, night, worklists_dir, raw_dir=warehouse.raw_dir)
        index = write_report(conn, night, warehouse.marts_dir, worklists,
                             warehouse.settings.key.demo, warehouse.raw_dir)
        counts = conn.execute(RULE_COUNTS, [night]).fetchall()
    docs = write_data_docs(warehouse.gx_root, warehouse.marts_dir / "quality" / "data_docs",
                           night)
    flagged = {rule: int(n) for rule, n, _, _ in counts}
    standing = sorted({w.night for w in worklists if w.night < night})
    context.log.info(f"quality report {index}; {sum(flagged.values()):,} flags; worklists "
                     f"for {len(worklists)} counties under {worklists_dir}"
                     + "".join(f" (the same flags as on {n}: its files stand)" for n in standing))
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(index)),
        "validation_results": dg.MetadataValue.path(str(docs)),
        "night": night.isoformat(),
        "flags": sum(flagged.values()),
        "new_flags": sum(int(n) for _, _, n, _ in counts),
        "resolved_flags": sum(int(n) for _, _, _, n in counts),
        "county_worklists": len(worklists),
        "worklists_of_night": ", ".join(sorted({w.night.isoformat() for w in worklists})),
        **{f"flags_{rule}": n for rule, n in flagged.items()},
        "flags_by_rule": dg.MetadataValue.md(
            "| rule | flags | new | resolved |\n|---|---:|---:|---:|\n"
            + "\n".join(f"| {r} | {n:,} | {new:,} | {res:,} |" for r, n, new, res in counts)),
    })  # fmt: skip
