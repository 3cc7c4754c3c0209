"""Running a suite against a staged table in the warehouse, on the deliveries it has not
validated yet.

The GX project (suites, results) lives beside the warehouse, in the restricted store; the
page statisticians read, ``<marts>/quality/data_docs/index.html``, is written from the
recorded outcomes once all suites ran (pipelines/reports/validation_results.py), not by GX's site
builder, whose pages need the internet.

A table's loaded deliveries are validated as GX batches of the asset partitioned by
delivery_date, and each batch's outcome is recorded with the content fingerprints of the
deliveries it covers and a digest of the suite and of the staged table's columns. A night
validates only the deliveries it has not seen in that state: new ones, corrected
re-deliveries, all of them when the suite changed. A year none of whose deliveries has a
standing outcome is one batch (the first night: a few batches, not one per monthly
claims file, each costing GX ~0.3 s of its own); otherwise each such delivery is a batch
of its own. Every other outcome stands; an outcome covering a delivery no longer loaded
as it was (corrected, replaced, rejected) is dropped and its deliveries validated again.
The check's result is the sum over the outcomes; every expectation is per row or per
delivery, so the sum is what one scan of the whole table would find.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

import pipelines.feeds
from pipelines.core.duckdb_limits import DEFAULT_DUCKDB_LIMITS, DuckDBLimits, duckdb_config
from pipelines.core.rule_names import rule_name
from pipelines.core.state import OUTCOMES_FOLDER, SUITE_DOCUMENTS, read_stamp, write_stamp
from pipelines.feeds import FEEDS, Table

if TYPE_CHECKING:
    import great_expectations as gx

# What the suites are generated from (pipelines/validation/suites.py says how): while
# these files and GX's version stay the same, so do the suites, and the suites' documents
# recorded beside the outcomes stand in for them. Importing GX takes 5-8 s, which a night
# with no delivery to validate need not spend.
SUITE_SOURCES = (*sorted(Path(pipelines.feeds.__file__).parent.glob("*.py")),
                 Path(__file__).with_name("suites.py"))
# counts only: no unexpected values (they could be ID numbers) in results or Data Docs
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    failures: list[dict] = field(default_factory=list)  # rule, expectation, column, unexpected
    validated_at: str = ""  # when GX last ran this suite on any of the table's deliveries
    validated: list[str] = field(default_factory=list)  # deliveries GX ran on this time
    kept: int = 0  # deliveries whose recorded outcome stands

    @property
    def reused(self) -> bool:
        """Nothing changed since: GX did not run, the recorded outcomes stand."""
        return not self.validated

    def summary(self) -> str:
        def deliveries(n: int) -> str:
            return f"{n} deliver{'y' if n == 1 else 'ies'}"

        scope = (f" ({deliveries(len(self.validated))} validated now, {deliveries(self.kept)} "
                 "unchanged since their last validation)" if self.validated and self.kept else "")
        kept = f" (unchanged since {self.validated_at}; result kept)" if self.reused else scope
        if self.success:
            return f"{self.suite}: all {self.evaluated} expectations met{kept}"
        def failed(f: dict) -> str:
            count = f["unexpected"]
            return (rule_name(f["rule"]) + (f" {f['column']}" if f["column"] else "") + ": "
                    + (f"failed ({f['expectation']})" if count is None else
                       f"{count:,} row{'' if count == 1 else 's'}"))

        lines = [failed(f) for f in self.failures]
        return (f"{self.suite}: {len(self.failures)} of {self.evaluated} expectations failed — "
                + "; ".join(lines) + kept)


def _deliveries(warehouse: Path, table: Table, limits: DuckDBLimits) -> tuple[dict[date, str], list[tuple]]:
    """The table's loaded deliveries (date -> content fingerprint) and the staged table's
    columns."""
    feed = next(f.id for f in FEEDS.values() if table in f.tables)
    with duckdb.connect(str(warehouse), read_only=True, config=duckdb_config(warehouse, limits)) as conn:
        deliveries = conn.execute("""
            select delivery_date, fingerprint from raw.deliveries as d
            where feed = ? and status = 'loaded' and exists (
                select 1 from raw.ingest_files as f
                where f.feed = d.feed and f.delivery_date = d.delivery_date
                    and f.table_name = ? and f.status = 'loaded')
            order by 1""", [feed, table.name]).fetchall()
        columns = conn.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'raw' and table_name = ? order by column_index",
            [table.name]).fetchall()
    return dict(deliveries), columns


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _standing(folder: Path, states: dict[date, str]) -> dict[str, dict]:
    """The recorded outcomes that still hold (file stem -> outcome), each covering one
    delivery or one year's deliveries: every delivery it covers is loaded in the state it
    was validated in. Any other record (a delivery corrected, replaced or rejected since,
    or the suite changed) is deleted: its deliveries are validated again."""
    standing = {}
    for path in sorted(folder.glob("*.json")):
        recorded = read_stamp(path)
        if recorded is not None and all(states.get(date.fromisoformat(day)) == state
               for day, state in recorded["states"].items()):
            standing[path.stem] = recorded
        else:
            path.unlink()
    return standing


def _batches(stale: list[date], loaded: list[date]) -> list[tuple[str, list[date]]]:
    """The GX batches for the stale deliveries: a year at once when none of its loaded
    deliveries has a standing outcome (the first night: 5 batches of monthly claims, not
    60), else each stale delivery on its own, beside the outcomes that stand."""
    batches = []
    for year in sorted({day.year for day in stale}):
        of_year = [day for day in stale if day.year == year]
        if len(of_year) == sum(day.year == year for day in loaded):
            batches.append((str(year), of_year))
        else:
            batches += [(day.isoformat(), [day]) for day in of_year]
    return batches


def _suite_document(gx_root: Path, table: Table, kind: str) -> dict:
    """The suite as GX writes it out (``to_json_dict``), from the documents recorded when
    the suites' sources were last seen as they are now, else from GX (and recorded)."""
    sources = _digest(importlib.metadata.version("great_expectations"),
                      *[path.read_text(encoding="utf-8") for path in SUITE_SOURCES])
    record = gx_root / SUITE_DOCUMENTS
    recorded = read_stamp(record) or {}
    if recorded.get("sources") != sources:
        recorded = {"sources": sources, "suites": {}}
    name = f"{table.name}.{kind}"
    if name not in recorded["suites"]:
        from pipelines.validation.suites import suites

        recorded["suites"][name] = suites(table)[kind].to_json_dict()
        write_stamp(record, recorded)  # checks may run in parallel processes: never half a file
    return recorded["suites"][name]


def _context(gx_root: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # the run logs progress
    return context


def _unexpected(result) -> int | None:
    values = result.result or {}
    if "unexpected_count" in values:
        return values["unexpected_count"]
    observed = values.get("observed_value")
    return observed if isinstance(observed, int) else None


def _failures(validation) -> list[dict]:
    return [
        {"rule": r.expectation_config.meta.get("rule"), "expectation": r.expectation_config.type,
         "column": r.expectation_config.kwargs.get("column") or r.expectation_config.meta.get("column"),
         "unexpected": _unexpected(r),
         "error": (r.exception_info or {}).get("exception_message")}
        for r in validation.results if not r.success
    ]  # fmt: skip


def _run(warehouse: Path, gx_root: Path, table: Table, expected: gx.ExpectationSuite,
         batches: list[tuple[str, list[date]]], limits: DuckDBLimits) -> dict[str, dict]:
    """GX on each batch (a year's deliveries, or one delivery, by delivery_date)."""
    import great_expectations as gx

    from pipelines.validation.gx_duckdb import duckdb_table_asset

    context = _context(gx_root)
    suite = context.suites.add_or_update(expected)
    outcomes = {}
    with duckdb_table_asset(context, warehouse, "raw", table.name, limits) as asset:
        definitions = {
            grain: context.validation_definitions.add_or_update(gx.ValidationDefinition(
                name=f"{suite.name}.{grain}", data=add(f"{suite.name}.{grain}",
                                                       column="delivery_date"),
                suite=suite))
            for grain, add in (("yearly", asset.add_batch_definition_yearly),
                               ("daily", asset.add_batch_definition_daily))
        }  # fmt: skip
        for unit, days in batches:
            day = days[0]
            grain, parameters = (("yearly", {"year": day.year}) if len(unit) == 4 else
                                 ("daily", {"year": day.year, "month": day.month, "day": day.day}))
            validation = definitions[grain].run(batch_parameters=parameters,
                                                result_format=RESULT_FORMAT)
            outcomes[unit] = {"success": validation.success, "evaluated": len(validation.results),
                              "failures": _failures(validation),
                              "validated_at": datetime.now().isoformat(timespec="seconds")}
    return outcomes


def _combined(suite: dict, outcomes: list[dict], validated: list[date],
              kept: int) -> SuiteOutcome:
    """The table's outcome: every delivery met the suite, or the failures summed per
    expectation over the deliveries."""
    failures: dict[tuple, dict] = {}
    for outcome in outcomes:
        for f in outcome["failures"]:
            key = (f["rule"], f["expectation"], f["column"])
            if key in failures:
                total = failures[key]
                both = (total["unexpected"], f["unexpected"])
                total["unexpected"] = None if None in both else sum(both)
                total["error"] = total["error"] or f["error"]
            else:
                failures[key] = dict(f)
    return SuiteOutcome(
        suite=suite["name"], success=all(o["success"] for o in outcomes),
        evaluated=max((o["evaluated"] for o in outcomes), default=len(suite["expectations"])),
        failures=list(failures.values()),
        validated_at=max((o["validated_at"] for o in outcomes), default=""),
        validated=[d.isoformat() for d in validated], kept=kept)


def validate(warehouse: Path, gx_root: Path, table: Table, kind: str,
             limits: DuckDBLimits = DEFAULT_DUCKDB_LIMITS) -> SuiteOutcome:
    """Validate ``raw.<table>`` with its ``kind`` suite ('contract' or 'quality') in DuckDB,
    on the deliveries not yet validated in their present state; the recorded outcome of
    every other delivery stands."""
    suite = _suite_document(gx_root, table, kind)
    deliveries, columns = _deliveries(warehouse, table, limits)
    suite_state = _digest(columns, suite)
    folder = gx_root / OUTCOMES_FOLDER / f"{table.name}.{kind}"
    folder.mkdir(parents=True, exist_ok=True)
    states = {day: _digest(fingerprint, suite_state) for day, fingerprint in deliveries.items()}
    recorded = _standing(folder, states)
    covered = {date.fromisoformat(day) for r in recorded.values() for day in r["states"]}
    stale = [day for day in deliveries if day not in covered]
    batches = _batches(stale, list(deliveries))
    if batches:
        from pipelines.validation.suites import suites

        outcomes = _run(warehouse, gx_root, table, suites(table)[kind], batches, limits)
        for unit, days in batches:
            recorded[unit] = {"states": {day.isoformat(): states[day] for day in days},
                              "outcome": outcomes[unit]}
            write_stamp(folder / f"{unit}.json", recorded[unit])
    return _combined(suite, [r["outcome"] for r in recorded.values()], validated=stale,
                     kept=len(covered))
