"""What a night's dbt build was made from, so a night with nothing new can prove it.

Every model depends only on the staged deliveries, the dbt project's files and the
pseudonym key; the night's date (var run_date) only stamps the quality history. So when
the digest of those three equals the one recorded after the last successful build, every
table that build made is still right, and the night only needs its quality history rows:
the warehouse asset then builds the quality models in carry-forward mode (the last
night's flags under tonight's date) instead of every model.

The digest covers raw.deliveries (feed, date, fingerprint, outcome: a new, corrected,
rejected or incomplete delivery all change it), raw.ingest_files (the reconciliation
mart), every file of the dbt project except its build output, and a hash of the key.

The project digest (the project's files and the key alone) decides how the other nights
build: the year-incremental models (dbt macros/year_incremental.sql) rebuild only the
years whose deliveries changed, which is right only while the models themselves and the
key are the ones the stored years were built with; when either changed, the build is a
full refresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

BUILDS_DDL = """
create schema if not exists raw;
create table if not exists raw.warehouse_builds (
    run_date date, inputs_digest varchar, built_at timestamp, project_digest varchar);
"""
# The dbt project's sources: what its manifest and its tables are made from.
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


@dataclass(frozen=True)
class Build:
    night: date
    digest: str
    project: str


def project_files(project_dir: Path) -> list[Path]:
    files = []
    for part in PROJECT_PARTS:
        path = project_dir / part
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.exists():
            files.append(path)
    return files


def project_digest(project_dir: Path, key: bytes) -> str:
    """One digest of the dbt project's files and the pseudonym key: what the models are."""
    digest = hashlib.sha256(hashlib.sha256(key).digest())
    for path in project_files(project_dir):
        digest.update(f"{path.relative_to(project_dir)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_digest(conn: duckdb.DuckDBPyConnection, project_dir: Path, key: bytes) -> str:
    """One digest of everything a dbt build reads, except the night's date."""
    digest = hashlib.sha256(project_digest(project_dir, key).encode())
    for sql in ("select feed, delivery_date, fingerprint, status from raw.deliveries order by all",
                "select * from raw.ingest_files order by all"):
        for row in conn.execute(sql).fetchall():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def last_build(conn: duckdb.DuckDBPyConnection) -> Build | None:
    """The most recent successful build, or None before the first."""
    exists = conn.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'raw' and table_name = 'warehouse_builds'"
    ).fetchall()[0][0]
    if not exists:
        return None
    rows = conn.execute(
        "select run_date, inputs_digest, project_digest from raw.warehouse_builds "
        "order by built_at desc limit 1"
    ).fetchall()
    return Build(*rows[0]) if rows else None


def needs_full_refresh(last: Build | None, project: str) -> bool:
    """Whether tonight's build must rebuild every year of the year-incremental models: the
    first build, or the models or the key changed since the last one."""
    return last is None or last.project != project


def record_build(conn: duckdb.DuckDBPyConnection, night: date, digest: str, project: str) -> None:
    conn.execute(BUILDS_DDL)
    conn.execute("insert into raw.warehouse_builds (run_date, inputs_digest, built_at, "
                 "project_digest) values (?, ?, current_timestamp, ?)", [night, digest, project])
