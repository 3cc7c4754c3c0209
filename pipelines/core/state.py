"""The build state: how each step of a night knows that its work is already done, and how to
forget it (`povmon reset-state`).

Every step skips what its inputs have not changed since it last did it. What it keeps to
tell is its *stamp*: the digest of what the work was made from, written beside what it made,
in the same transaction or rename, so that the work and its stamp cannot disagree. Stamps
kept as files go through `read_stamp` / `write_stamp` (JSON, replaced atomically); two are
tables of the store, since they change with the staged data in one transaction.

`PARTS` is every stamp: where it is kept, what it keys on, what it saves. docs/operations.md
shows the table. Resetting a part removes its stamp only: the next night redoes that work
from scratch and writes the same results (a re-read delivery is the same delivery; a full
refresh builds the same tables), just more slowly.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.duckdb_limits import duckdb_config
from pipelines.core.settings import Settings

# The stamp files' names, read by the steps that write them.
SUITE_DOCUMENTS = "suites.json"  # in the GX project: the suites as GX writes them out
OUTCOMES_FOLDER = "outcomes"  # in the GX project: <table>.<suite>/<delivery or year>.json
SPARK_EXPORTED = "_exported.json"  # in each staged table's Parquet folder
DOCS_STAMP = ".manifest.json"  # in <marts>/docs/
WORKLISTS_STAMP = ".written.json"  # in <warehouse dir>/worklists/
VISIT_LISTS_STAMP = ".visits-written.json"  # in <warehouse dir>/worklists/


def read_stamp(path: Path) -> Any | None:
    """The value a stamp file holds, None when there is none (or it is unreadable: the work
    is then simply done again)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_stamp(path: Path, value: Any) -> None:
    """Write the stamp under a hidden name and rename it into place: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{os.getpid()}")
    building.write_text(json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True),
                        encoding="utf-8")
    building.replace(path)


def _table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return conn.execute("select count(*) from duckdb_tables() where schema_name = ? and "
                        "table_name = ?", [schema, table]).fetchall()[0][0] > 0


def _in_store(settings: Settings, statements: Callable[[duckdb.DuckDBPyConnection], int]) -> int:
    if not settings.warehouse_path.exists():
        return 0
    with duckdb.connect(str(settings.warehouse_path),
                        config=duckdb_config(settings.warehouse_path, settings.duckdb)) as conn:
        return statements(conn)


def _reset_ingest(settings: Settings) -> int:
    def forget(conn: duckdb.DuckDBPyConnection) -> int:
        if not _table_exists(conn, "raw", "deliveries"):
            return 0
        (deliveries,) = conn.execute(
            "select count(*) from raw.deliveries where fingerprint is not null").fetchone()
        conn.execute("update raw.deliveries set fingerprint = null")
        if _table_exists(conn, "raw", "file_digests"):
            conn.execute("delete from raw.file_digests")
        return deliveries

    return _in_store(settings, forget)


def _reset_builds(settings: Settings) -> int:
    def forget(conn: duckdb.DuckDBPyConnection) -> int:
        if not _table_exists(conn, "raw", "warehouse_builds"):
            return 0
        return conn.execute("delete from raw.warehouse_builds").fetchone()[0]

    return _in_store(settings, forget)


def _remove(paths: list[Path]) -> int:
    removed = 0
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed += 1
    return removed


@dataclass(frozen=True)
class StatePart:
    name: str
    kept_in: str
    keys_on: str
    saves: str
    redone: str  # what the next run does once the part is reset
    stamps: Callable[[Settings], list[Path]] | None = None  # stamp files, or
    reset_store: Callable[[Settings], int] | None = None  # stamp rows in the store

    def reset(self, settings: Settings) -> int:
        """Forget this part's stamps; how many were removed."""
        if self.reset_store is not None:
            return self.reset_store(settings)
        assert self.stamps is not None
        return _remove(self.stamps(settings))


PARTS = (
    StatePart("ingest", "raw.deliveries.fingerprint, raw.file_digests (store)",
              "each delivery's files: names and SHA-256 of their bytes (the hash itself is "
              "redone when a file's inode, size, mtime or ctime changes)",
              "re-reading a delivery that is as it was", "reads every delivery again",
              reset_store=_reset_ingest),
    StatePart("validation", "gx/outcomes/<table>.<suite>/, gx/suites.json",
              "the delivery's fingerprint, the staged table's columns, the suite's "
              "expectations (and GX's version and the suites' sources)",
              "running GX on a delivery it already validated",
              "validates every delivery again",
              stamps=lambda s: [s.gx_root / OUTCOMES_FOLDER, s.gx_root / SUITE_DOCUMENTS]),
    StatePart("warehouse", "raw.warehouse_builds (store)",
              "the dbt project's files, the pseudonym key, raw.deliveries, raw.ingest_files",
              "building the models (only the night's quality history is built) and, for "
              "the year-incremental models, the years that did not change",
              "builds every model and every year (a full refresh)",
              reset_store=_reset_builds),
    StatePart("spark", "<spark>/staged/<table>/_exported.json",
              "each delivery's fingerprint", "exporting a staged delivery to Parquet again",
              "exports every staged delivery again",
              stamps=lambda s: sorted((s.spark_dir / "staged").glob(f"*/{SPARK_EXPORTED}"))),
    StatePart("docs", "<marts>/docs/.manifest.json", "the dbt manifest",
              "`dbt docs generate` (about half a minute)", "generates the dbt docs page again",
              stamps=lambda s: [s.marts_dir / "docs" / DOCS_STAMP]),
    StatePart("worklists", "<warehouse dir>/worklists/.written.json",
              "the night's flags and problem files, row by row",
              "rewriting every county's worklist files", "writes every county's worklists again",
              stamps=lambda s: [s.worklists_dir / WORKLISTS_STAMP]),
    StatePart("visit_lists", "<warehouse dir>/worklists/.visits-written.json",
              "the latest year's households to visit and their members, row by row",
              "rewriting every county's 入户核实清单", "writes every county's visit lists again",
              stamps=lambda s: [s.worklists_dir / VISIT_LISTS_STAMP]),
)
# publish keeps no stamp of its own: it compares each mart's rows with the published
# file's (count and row-hash sum per part), so there is nothing to forget.


def reset_state(settings: Settings, names: list[str] | None = None) -> dict[str, int]:
    """Forget the named parts' stamps (every part's by default): part -> stamps removed."""
    known = {part.name: part for part in PARTS}
    unknown = sorted(set(names or []) - known.keys())
    if unknown:
        raise ValueError(f"no state part {', '.join(unknown)}: the parts are {', '.join(known)}")
    return {name: known[name].reset(settings) for name in (names or known)}
