"""Validation runs in DuckDB with capped memory: validating a 4-million-row staged
registry adds far less memory than the same table takes in pandas (and the same amount
as 2 million rows: the cap, not the table, sets it)."""

import json
import subprocess
import sys

import duckdb
import pytest

ROWS = 4_000_000


def _probe(*args) -> subprocess.CompletedProcess:
    probe = subprocess.run([sys.executable, "-m", "tests.validation_memory_probe", *map(str, args)],
                           capture_output=True, text=True, timeout=900)  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-3000:]
    return probe


@pytest.mark.slow
def test_validating_four_million_rows_stays_far_below_the_pandas_size(tmp_path):
    _probe("create", tmp_path, ROWS)
    measured = json.loads(_probe("validate", tmp_path).stdout.strip().splitlines()[-1])
    assert measured["success"] == [True, True]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        sample = conn.execute("select * from raw.registry limit 100000").df()
    pandas_mib = sample.memory_usage(deep=True).sum() * (ROWS / len(sample)) / 2**20
    added_mib = measured["peak_rss_mib"] - measured["rss_after_imports_mib"]
    print(f"\n4M-row registry: pandas {pandas_mib:,.0f} MiB; validation added {added_mib:,.0f} MiB "
          f"(peak RSS {measured['peak_rss_mib']:,.0f} MiB) in {measured['seconds']} s")
    assert added_mib < pandas_mib / 3
