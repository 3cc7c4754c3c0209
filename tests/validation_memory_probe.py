"""Run in subprocesses by test_validation_memory: `create DIR N` stages N registry rows in
a fresh DuckDB file (made in SQL, never in Python); `validate DIR` validates both suites in
a process that never held the data and prints, as JSON, its memory after imports and its
peak."""

import json
import resource
import sys
import time
from pathlib import Path

import duckdb

from pipelines.feeds import FEEDS, TABLES, Kind
from pipelines.ingest.stage import ensure_tables
from pipelines.validation.run import validate

VALUES = {
    Kind.TEXT: "'户' || lpad(cast(i as varchar), 10, '0')",
    Kind.ID_NUMBER: "'11010519491231002X'",
    Kind.AREA_CODE: "'510101100201'",
    Kind.INTEGER: "2015",
    Kind.DECIMAL: "3000.50 + i % 1000",
    Kind.DATE: "date '1980-01-01' + cast(i % 20000 as integer)",
    Kind.SCHOOL_YEAR: "'2020-2021'",
    Kind.PERIOD: "'2020-12'",
}


def create(folder: Path, rows: int) -> None:
    table = TABLES["registry"]
    with duckdb.connect(str(folder / "w.duckdb")) as conn:
        ensure_tables(conn, FEEDS["registry"])
        values = ", ".join(
            f"'{c.codes[0]}'" if c.kind is Kind.CODE else VALUES[c.kind] for c in table.columns
        )
        conn.execute(f"insert into raw.registry select {values}, date '2020-12-31', 'f.csv', i "
                     f"from range({rows}) t(i)")


def measure(folder: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    outcomes = [validate(folder / "w.duckdb", folder / "gx", TABLES["registry"], kind)
                for kind in ("contract", "quality")]
    print(json.dumps({
        "seconds": round(time.monotonic() - started, 1),
        "rss_after_imports_mib": before / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "success": [o.success for o in outcomes],
    }))


if __name__ == "__main__":
    if sys.argv[1] == "create":
        create(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        measure(Path(sys.argv[2]))
