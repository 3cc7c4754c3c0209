"""The floor for loading: DuckDB's own read_csv of every delivered CSV file into one table
per feed table (GB18030 files transcoded to UTF-8 first, timed apart; XLSX left out), with
nothing else: no quarantine, no reconciliation. Prints seconds and rows.

    .venv/bin/python scripts/bare_duckdb_load.py RAW_DIR
"""

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.core.duckdb_limits import DEFAULT_DUCKDB_LIMITS, duckdb_config
from pipelines.feeds import FEEDS
from pipelines.ingest.decode import decode


def main(raw: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        started = time.monotonic()
        files: dict[str, list[str]] = {}
        for feed in FEEDS.values():
            for path in sorted(raw.glob(f"{feed.id}/*/*.csv")):
                table = feed.table_for(path.name)
                if table is None or not (path.parent / "_SUCCESS").exists():
                    continue
                decoded = decode(path.read_bytes())
                if decoded.encoding == "GB18030":
                    copy = Path(work) / f"{len(files.get(table.name, []))}_{path.name}"
                    copy.write_bytes(decoded.data)
                    path = copy
                files.setdefault(table.name, []).append(str(path))
        transcoded = time.monotonic() - started
        started = time.monotonic()
        rows = 0
        with duckdb.connect(str(Path(work) / "bare.duckdb"),
                            config=duckdb_config(Path(work) / "bare.duckdb",
                                                 DEFAULT_DUCKDB_LIMITS)) as conn:
            for table, paths in files.items():
                conn.execute(f"create table {table} as select * from read_csv($paths, "
                             "union_by_name = true, all_varchar = true, header = true)",
                             {"paths": paths})
                rows += conn.execute(f"select count(*) from {table}").fetchone()[0]
        loaded = time.monotonic() - started
    print(f"bare DuckDB load: {sum(map(len, files.values())):,} CSV files, {rows:,} rows in "
          f"{loaded:.1f} s (+ {transcoded:.1f} s finding files and transcoding GB18030)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
