"""One asset per feed (raw deliveries -> staged tables), all made by one factory from the
feed contract, and the ingest log that checks every row was accounted for."""



import dagster as dg

from pipelines.core.settings import night_of
from pipelines.core.store import Warehouse
from pipelines.feeds import FEEDS, Feed
from pipelines.ingest.discover import unread_folders
from pipelines.ingest.stage import ingest_feed


def feed_asset_key(feed_id: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed_id])


def build_feed_asset(feed: Feed) -> dg.AssetsDefinition:
    @dg.asset(
        key=feed_asset_key(feed.id),
        group_name="ingest",
        description=f"{feed.title}: every complete delivery under data/raw/{feed.id}/, "
        f"staged in {', '.join(t.staged_name for t in feed.tables)} (restricted store).",
        kinds={"duckdb"},
    )
    def _ingest(context: dg.AssetExecutionContext,
                warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            summary = ingest_feed(conn, warehouse.raw_dir, feed, log=context.log.info,
                                  night=night_of(context.run.tags),
                                  limits=warehouse.ingest_limits)
        for warning in summary.warnings:
            context.log.warning(warning)
        for problem in summary.rejected:
            context.log.error(f"delivery rejected: {problem}")
        return dg.MaterializeResult(
            metadata={
                "deliveries_loaded": len(summary.loaded),
                "deliveries_unchanged": len(summary.unchanged),
                "deliveries_rejected": len(summary.rejected),
                "deliveries_incomplete": len(summary.incomplete),
                "rows_read": summary.rows_read,
                "rows_accepted": summary.rows_accepted,
                "rows_quarantined": summary.rows_quarantined,
                "rejected": dg.MetadataValue.md("\n".join(f"- {p}" for p in summary.rejected)
                                                or "none"),
            }
        )

    return _ingest


feed_assets = [build_feed_asset(feed) for feed in FEEDS.values()]


@dg.asset(
    key=dg.AssetKey(["raw", "ingest_log"]),
    group_name="ingest",
    deps=[feed_asset_key(f) for f in FEEDS],
    description="raw.ingest_files and raw.deliveries: the outcome of every delivery and "
    "file; checks that rows read = rows accepted + rows quarantined for every file, and "
    "names what in data/raw is no feed's folder (read by no one).",
    kinds={"duckdb"},
)
def ingest_log(context: dg.AssetExecutionContext,
               warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
    unread = unread_folders(warehouse.raw_dir)
    for _, notice in unread:
        context.log.warning(notice.en)
    with warehouse.connect(read_only=True) as conn:
        unbalanced = conn.execute(
            "select feed, delivery_date, file from raw.ingest_files "
            "where rows_read != rows_accepted + rows_quarantined"
        ).fetchall()
        totals = dict(conn.execute(
            "select status, count(*) from raw.ingest_files group by status"
        ).fetchall())  # fmt: skip
    if unbalanced:
        raise dg.Failure(f"rows read != accepted + quarantined for {unbalanced[:5]}")
    return dg.MaterializeResult(metadata={
        **{f"files_{k}": v for k, v in sorted(totals.items())},
        "unread_folders": ", ".join(name for name, _ in unread) or "none"})
