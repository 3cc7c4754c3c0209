"""Running a suite against a staged table in the warehouse, with Data Docs.

The GX project (suites, results) lives beside the warehouse, in the restricted store;
the Data Docs site, which shows counts and row references but no values, is written to
``<marts>/quality/data_docs/`` for statisticians and the quality report.

A suite is run again only when what it would see has changed: the feed's loaded
deliveries (dates and content fingerprints), the staged table's columns and row count,
or the suite itself. Otherwise the outcome
recorded after the last run stands (a night with nothing new does not re-scan history),
and the Data Docs keep showing that run.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig

from pipelines.duckdb_limits import duckdb_config
from pipelines.feeds import FEEDS, Table
from pipelines.validation.gx_duckdb import MEMORY_LIMIT, duckdb_batch
from pipelines.validation.suites import suites

DOCS_SITE = "povmon"
# counts only: no unexpected values (they could be ID numbers) in results or Data Docs
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    failures: list[dict] = field(default_factory=list)  # rule, expectation, column, unexpected
    validated_at: str = ""  # when GX last ran this suite on this data
    reused: bool = False  # nothing changed since; the recorded outcome stands

    def summary(self) -> str:
        kept = f" (unchanged since {self.validated_at}; result kept)" if self.reused else ""
        if self.success:
            return f"{self.suite}: all {self.evaluated} expectations met{kept}"
        lines = [f"{f['rule']} {f['expectation']}({f['column'] or ''}): {f['unexpected']}"
                 for f in self.failures]  # fmt: skip
        return (f"{self.suite}: {len(self.failures)} of {self.evaluated} failed — "
                + "; ".join(lines) + kept)


def _data_state(warehouse: Path, table: Table, suite: gx.ExpectationSuite) -> str:
    """A digest of what the suite would see: the feed's loaded deliveries, the staged
    table's columns and row count, and the suite."""
    feed = next(f.id for f in FEEDS.values() if table in f.tables)
    with duckdb.connect(str(warehouse), read_only=True,
                        config=duckdb_config(warehouse, memory_limit=MEMORY_LIMIT)) as conn:
        deliveries = conn.execute(
            "select delivery_date::varchar, fingerprint from raw.deliveries "
            "where feed = ? and status = 'loaded' order by 1", [feed]).fetchall()
        columns = conn.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'raw' and table_name = ? order by column_index",
            [table.name]).fetchall()
        rows = conn.execute(f"select count(*) from {table.staged_name}").fetchone()[0]
    state = json.dumps([deliveries, columns, rows, suite.to_json_dict()], sort_keys=True,
                       default=str)
    return hashlib.sha256(state.encode()).hexdigest()


def _recorded(path: Path, state: str) -> SuiteOutcome | None:
    if not path.exists():
        return None
    recorded = json.loads(path.read_text())
    if recorded["state"] != state:
        return None
    return SuiteOutcome(**{**recorded["outcome"], "reused": True})


def _context(gx_root: Path, docs_dir: Path):
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # the run logs progress
    if DOCS_SITE not in context.get_site_names():
        context.add_data_docs_site(site_name=DOCS_SITE, site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })  # fmt: skip
    return context


def _unexpected(result) -> int | None:
    values = result.result or {}
    if "unexpected_count" in values:
        return values["unexpected_count"]
    observed = values.get("observed_value")
    return observed if isinstance(observed, int) else None


def validate(warehouse: Path, gx_root: Path, docs_dir: Path, table: Table, kind: str) -> SuiteOutcome:
    """Validate ``raw.<table>`` with its ``kind`` suite ('contract' or 'quality') in DuckDB,
    or return the recorded outcome when neither the feed's deliveries nor the suite changed."""
    expected = suites(table)[kind]
    state = _data_state(warehouse, table, expected)
    outcome_file = gx_root / "outcomes" / f"{table.name}.{kind}.json"
    if (kept := _recorded(outcome_file, state)) is not None:
        return kept
    context = _context(gx_root, docs_dir)
    suite = context.suites.add_or_update(expected)
    with duckdb_batch(context, warehouse, "raw", table.name) as (batch_definition, _):
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=suite))
        checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
            name=suite.name, validation_definitions=[definition], result_format=RESULT_FORMAT,
            actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=[DOCS_SITE])]))
        run = checkpoint.run()
    (validation,) = run.run_results.values()
    failures = [
        {"rule": r.expectation_config.meta.get("rule"), "expectation": r.expectation_config.type,
         "column": r.expectation_config.kwargs.get("column") or r.expectation_config.meta.get("column"),
         "unexpected": _unexpected(r),
         "error": (r.exception_info or {}).get("exception_message")}
        for r in validation.results if not r.success
    ]  # fmt: skip
    outcome = SuiteOutcome(suite=suite.name, success=validation.success,
                           evaluated=len(validation.results), failures=failures,
                           validated_at=datetime.now().isoformat(timespec="seconds"))
    outcome_file.parent.mkdir(exist_ok=True)
    outcome_file.write_text(json.dumps({"state": state, "outcome": asdict(outcome)}))
    return outcome
