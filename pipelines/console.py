"""What `povmon run` shows a person: one line per step with its counts and seconds, and,
on a terminal, a live line saying what the running step is doing (the feed's delivery
being loaded, dbt's node n of N). Everything else — Dagster's log at INFO, dbt's own
lines — goes to the run's log file, with no colour codes; ``--log-level`` brings Dagster's
log back to the console.

The lines come from a Dagster logger attached to the job `povmon run` executes, so they
are written while the run goes, from the same events the Dagster UI shows.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

from pipelines.core.restricted import private_file
from pipelines.notices import step_error

COLOUR_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LOGGER = "povmon_console"
WARNINGS_SHOWN = 3  # a step's warnings and errors printed under its line; the rest: the log


def plain(text: str) -> str:
    """``text`` without terminal colour codes (dbt colours its OK and PASS)."""
    return COLOUR_CODES.sub("", text)


DBT_NODE = re.compile(r"^\s*(\d+) of (\d+) (?!START)")  # "37 of 152 OK created …"


class PlainFile(io.TextIOBase):
    """A text stream into the log file, colour codes removed: where dbt's lines go. Each
    of dbt's "n of N" result lines is also shown as the live line."""

    def __init__(self, handle: IO[str], lines: StepLines | None = None) -> None:
        self.handle, self.lines = handle, lines

    def write(self, text: str) -> int:
        text = plain(text)
        self.handle.write(text)
        if self.lines and (node := DBT_NODE.match(text)):
            self.lines.progress("dbt", f"{node.group(1)} of {node.group(2)} · "
                                + text[node.end():].strip().split(" ...")[0])
        return len(text)

    def flush(self) -> None:
        self.handle.flush()


STEP_LABELS = {"raw__ingest_log": "ingest: reconciliation", "warehouse_models": "dbt build",
               "publish__published_marts": "publish", "quality__report": "quality report",
               "report__indicators": "indicator report"}  # fmt: skip
SUITE_CHECK = re.compile(r"_(contract|quality)$")


def step_label(step: str) -> str:
    """``ingest: registry`` for raw__registry; the step key when it has no label."""
    if step in STEP_LABELS:
        return STEP_LABELS[step]
    return f"ingest: {step.removeprefix('raw__')}" if step.startswith("raw__") else step


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def step_summary(metadata: dict[str, Any], checks: tuple[int, int], built: int) -> str:
    """The counts a step's line shows, from its materializations' metadata, the asset
    checks it evaluated (passed, failed) and the assets it built."""
    if "rows_read" in metadata:
        parts = [f"{metadata['deliveries_loaded']} loaded"]
        parts += [f"{metadata[k]} {name}" for k, name in (
            ("deliveries_unchanged", "unchanged"), ("deliveries_rejected", "rejected"),
            ("deliveries_incomplete", "incomplete")) if metadata.get(k)]  # fmt: skip
        return (f"deliveries {', '.join(parts)}; rows {_count(metadata['rows_read'])} read, "
                f"{_count(metadata['rows_quarantined'])} quarantined")
    if "flags" in metadata:
        return (f"{_count(metadata['flags'])} flags ({_count(metadata['new_flags'])} new, "
                f"{_count(metadata['resolved_flags'])} resolved), worklists for "
                f"{metadata['county_worklists']} counties")
    if "database" in metadata:
        changed = metadata.get("changed_marts") or ""
        published = sum(key.startswith("rows_") for key in metadata)
        return (f"{published} marts, {len(changed.split(', ')) if changed else 0} changed; dbt "
                f"docs {'rebuilt' if metadata.get('docs_rebuilt') else 'unchanged'}")
    if "flagged_outliers" in metadata:
        return (f"{metadata['late_deliveries']} late and {metadata['missing_deliveries']} missing "
                f"county deliveries, {metadata['flagged_outliers']} flagged outliers, "
                f"{metadata['households_to_visit']:,} households to visit")
    if "unread_folders" in metadata:
        loaded = metadata.get("files_loaded", 0)
        return f"{_count(loaded)} files loaded, rows read = accepted + quarantined in every one"
    passed, failed = checks
    if built or passed or failed:
        tests = f", tests {passed} passed" + (f", {failed} failed" if failed else "")
        return f"{built} models and seeds built{tests if passed or failed else ''}"
    return "done"


class StepLines(logging.Handler):
    """Prints a line as each step ends; on a terminal, a live line for the running step."""

    def __init__(self, out: IO[str], live: bool) -> None:
        super().__init__(level=logging.DEBUG)
        self.out, self.live = out, live
        self.metadata: dict[str, dict] = {}
        self.checks: dict[str, list[int]] = {}
        self.built: dict[str, int] = {}
        self.warnings: dict[str, list[str]] = {}
        self.shown_live = False

    def _line(self, text: str) -> None:
        if self.shown_live:
            self.out.write("\r\x1b[K")
            self.shown_live = False
        self.out.write(text + "\n")
        self.out.flush()

    def progress(self, step: str, message: str) -> None:
        if not self.live:
            return
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.out.write("\r\x1b[K" + f"  … {step}: {plain(message)}"[:width])
        self.out.flush()
        self.shown_live = True

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, {})
        event, step = meta.get("dagster_event"), meta.get("step_key") or ""
        if event is None:
            if step and record.levelno >= logging.WARNING:
                self.warnings.setdefault(step, []).append(meta.get("orig_message", ""))
            elif step:
                self.progress(step, meta.get("orig_message", ""))
            return
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            self.built[step] = self.built.get(step, 0) + 1
            self.metadata.setdefault(step, {}).update(
                {k: getattr(v, "value", v) for k, v in materialization.metadata.items()})
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            tally = self.checks.setdefault(step, [0, 0])
            tally[0 if evaluation.passed else 1] += 1
            if SUITE_CHECK.search(step):
                suite = SUITE_CHECK.sub(r".\1", evaluation.check_name)
                verdict = ("passed" if evaluation.passed else
                           (evaluation.description or "").split(" — ")[0].removeprefix(f"{suite}: "))
                self._line(f"  {'validate: ' + suite:<38} {verdict}")
        elif kind == dg.DagsterEventType.STEP_START:
            self.progress(step, "started")
        elif kind == dg.DagsterEventType.STEP_SUCCESS and not SUITE_CHECK.search(step):
            seconds = event.event_specific_data.duration_ms / 1000
            summary = step_summary(self.metadata.get(step, {}),
                                   tuple(self.checks.get(step, [0, 0])), self.built.get(step, 0))
            self._line(f"  {step_label(step):<38} {summary}  ({seconds:,.1f} s)")
            self._warnings(step)
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            self._line(f"  {step_label(step):<38} FAILED: {plain(step_error(event))[:300]}")
            self._warnings(step)

    def _warnings(self, step: str) -> None:
        said = self.warnings.pop(step, [])
        for message in said[:WARNINGS_SHOWN]:
            self._line(f"      ! {plain(message)[:400]}")
        if len(said) > WARNINGS_SHOWN:
            self._line(f"      ! and {len(said) - WARNINGS_SHOWN} more in the run's log file")


def console_logger(lines: StepLines, log_file: IO[str]) -> dg.LoggerDefinition:
    """The Dagster logger of a `povmon run`: step ``lines``, and the whole log (INFO and
    above) to ``log_file``."""

    @dg.logger(description="povmon run: one line per step, the full log to the run's file")
    def _console(_init_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.Logger(LOGGER, level=logging.DEBUG)
        logger.addHandler(lines)
        to_file = logging.StreamHandler(PlainFile(log_file))
        to_file.setLevel(logging.INFO)
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(to_file)
        return logger

    return _console


@contextmanager
def run_console(log_path: Path, console_level: str | None):
    """While the run goes: dbt's lines (written to stdout by dagster-dbt) into the log file,
    and the job's loggers — ours, and Dagster's own console logger only at an asked
    ``console_level``. Yields (logger definitions, their run config)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    out = sys.stdout
    with log_path.open("a", encoding="utf-8") as log_file:
        private_file(log_path)
        lines = StepLines(out, live=out.isatty())
        loggers = {"povmon": console_logger(lines, log_file), "console": dg.colored_console_logger}
        config = {"povmon": {}, **({"console": {"config": {"log_level": console_level}}}
                                   if console_level else {})}
        saved = sys.stdout
        sys.stdout = PlainFile(log_file, lines)
        try:
            yield loggers, {"loggers": config}
        finally:
            sys.stdout = saved
