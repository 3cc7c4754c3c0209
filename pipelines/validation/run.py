"""Running a suite against a staged table in the warehouse, with Data Docs.

The GX project (suites, results) lives beside the warehouse, in the restricted store;
the Data Docs site, which shows counts and row references but no values, is written to
``<marts>/quality/data_docs/`` for statisticians and the quality report.
"""

from dataclasses import dataclass, field
from pathlib import Path

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig

from pipelines.feeds import Table
from pipelines.validation.gx_duckdb import duckdb_batch
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

    def summary(self) -> str:
        if self.success:
            return f"{self.suite}: all {self.evaluated} expectations met"
        lines = [f"{f['rule']} {f['expectation']}({f['column'] or ''}): {f['unexpected']}"
                 for f in self.failures]  # fmt: skip
        return f"{self.suite}: {len(self.failures)} of {self.evaluated} failed — " + "; ".join(lines)


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
    """Validate ``raw.<table>`` with its ``kind`` suite ('contract' or 'quality') in DuckDB."""
    context = _context(gx_root, docs_dir)
    suite = context.suites.add_or_update(suites(table)[kind])
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
    return SuiteOutcome(suite=suite.name, success=validation.success,
                        evaluated=len(validation.results), failures=failures)
