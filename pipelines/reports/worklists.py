"""Per-county worklists of a night's flags, WITH ID numbers and names, for the county
offices that correct the records. Written only under the restricted store, one folder per
county (``<warehouse dir>/worklists/<county code>/``, owner-only), so an office can grant
each county's steward that folder alone; never under the published marts folder. Folder
and file names are made of the county's 6-digit code alone: a name comes from a delivery
(``../../marts/x`` is a name too), and every path is checked to resolve inside the store.
The workbook's second sheet lists the province's problem files of the deliveries.
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines.core.labels import labels
from pipelines.core.restricted import inside, private_file, private_folder
from pipelines.core.spreadsheets import SHEET_DATA_ROWS, write_csv, write_workbook
from pipelines.core.state import WORKLISTS_STAMP, read_stamp, write_stamp
from pipelines.reports.delivery_problems import FEED_ZH, HEADERS_ZH, problem_files

# restricted.quality_worklist column -> the header a county office reads, in the order a
# steward works: where (village), who, what is wrong, which department corrects it
HEADERS = {
    "area_code": "行政区划代码",
    "area_name": "区划名称",
    "name": "姓名",
    "id_number": "证件号码",
    "rule_id": "规则编号",
    "rule_title": "问题类型",
    "severity": "严重程度",
    "detail": "问题说明",
    "responsible_department": "责任部门",
    "feed": "数据来源",
    "year": "数据年度",
    "delivery_date": "报送日期",
    "record_key": "记录编号",
    "flag_status": "状态",
    "first_seen_run_date": "首次发现日期",
    "nights_open": "持续天数",
    "person_key": "人员代码",
}
WORKLIST_QUERY = """
    select worklist.*, flags.flag_status, flags.first_seen_run_date, flags.nights_open
    from restricted.quality_worklist as worklist
    inner join marts.quality_flags as flags using (run_date, flag_key)
    where run_date = ?
    order by county_code, area_code nulls last, id_number nulls last, record_key, rule_id,
        person_key
"""


# The columns that change by the night alone, not by what is flagged: left out of the digest
# that tells whether tonight's worklists say what the last ones written said.
NIGHTLY_COLUMNS = ("flag_status", "nights_open")


@dataclass(frozen=True)
class Worklist:
    county_code: str
    county_name: str
    flags: int
    errors: int
    csv: Path
    xlsx: Path
    night: date  # the night its files were written (an earlier one when nothing changed since)
    sheets: int = 1  # the 问题清单 sheets of its workbook (more when it exceeds one sheet)


def _write_county(job: tuple[pl.DataFrame, pl.DataFrame, Path, Path, int]) -> None:
    """One county's CSV and workbook. The workbook is
    written in Rust (rustpy-xlsxwriter), partly outside the GIL, so counties are written on
    threads."""
    table, problems, csv, xlsx, sheet_rows = job
    write_csv(table, csv)
    write_workbook([("问题清单", table), ("报送文件问题", problems)], xlsx, sheet_rows)
    for path in (csv, xlsx):
        private_file(path)


def _content_digest(flags: pl.DataFrame, problems: pl.DataFrame) -> str:
    """What the worklists list, whatever the row order: the flags (but for the columns that
    change by the night alone) and the problem files."""
    content = [c for c in ("county_code", "county_name", *HEADERS) if c not in NIGHTLY_COLUMNS]
    return rows_digest([flags.select(content), problems])


def rows_digest(frames: list[pl.DataFrame]) -> str:
    """A digest of the frames' rows, whatever their order, and of their columns: what tells
    whether tonight's county files say what the last ones written said."""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(np.sort(frame.hash_rows(seed=0).to_numpy()).tobytes())
        digest.update(repr(frame.schema).encode())
    return digest.hexdigest()


def night_written(stamp: Path, night: date, digest: str) -> date:
    """The night whose files tonight's can stand on: the last night written (``stamp``)
    when it held the same content and is not after tonight, else tonight."""
    written = read_stamp(stamp) or {}
    if written.get("digest") == digest and written["night"] <= night.isoformat():
        return date.fromisoformat(written["night"])
    return night


def county_folder(out_dir: Path, county_code: str) -> Path:
    """A county's restricted folder, named by its 6-digit code alone (a name comes from a
    delivery), checked to lie inside ``out_dir``."""
    if not re.fullmatch(r"[0-9]{12}", county_code):
        raise ValueError(f"county code {county_code!r} is not 12 digits: no worklist folder "
                         "is named after it")
    return inside(out_dir, out_dir / county_code[:6])


def _worklist(out_dir: Path, key: tuple[str, str | None], rows: pl.DataFrame,
              night: date, sheet_rows: int) -> Worklist:
    """A county's worklist of ``night``: its files' paths (from its code) and its counts."""
    county_code, county_name = key[0], key[1] or "未知县"
    folder = county_folder(out_dir, county_code)
    stem = f"{county_code[:6]}_问题清单_{night.isoformat()}"
    return Worklist(county_code, county_name, rows.height,
                    int((rows["severity"] == "error").sum()), folder / f"{stem}.csv",
                    folder / f"{stem}.xlsx", night, max(1, -(-rows.height // sheet_rows)))


def write_worklists(conn: duckdb.DuckDBPyConnection, night: date, out_dir: Path,
                    sheet_rows: int = SHEET_DATA_ROWS, raw_dir: Path | None = None,
                    ) -> list[Worklist]:
    """One CSV (UTF-8 with BOM, so Excel shows the Chinese) and one XLSX per county with
    flags, in the county's own folder; a re-run of the night replaces that night's files.
    Workbooks are written on every core: they were most of the report step's time.

    When tonight lists the same flags and problem files as the last night written, its
    files stand and nothing is written: only the flags' status and nights open would differ
    (first_seen_run_date says since when), and a province's worklists are millions of rows."""
    flags = conn.sql(WORKLIST_QUERY, params=[night]).pl()
    problems = pl.DataFrame(problem_files(conn, raw_dir), schema=HEADERS_ZH, orient="row")
    private_folder(out_dir)
    digest = _content_digest(flags, problems)
    counties = list(flags.group_by("county_code", "county_name", maintain_order=True))
    standing = night_written(out_dir / WORKLISTS_STAMP, night, digest)
    if standing < night:
        worklists = [_worklist(out_dir, key, rows, standing, sheet_rows) for key, rows in counties]
        if all(w.csv.exists() and w.xlsx.exists() for w in worklists):
            return worklists
    for old in out_dir.glob(f"*/*_问题清单_{night.isoformat()}.*"):
        old.unlink()
    worklists, jobs = [], []
    for key, rows in counties:
        worklist = _worklist(out_dir, key, rows, night, sheet_rows)
        private_folder(worklist.csv.parent)
        table = rows.with_columns(
            pl.col("severity").replace(labels("severity")),
            pl.col("flag_status").replace(labels("flag_status")),
            pl.col("feed").replace(FEED_ZH),
        ).select(list(HEADERS)).rename(HEADERS)
        jobs.append((table, problems, worklist.csv, worklist.xlsx, sheet_rows))
        worklists.append(worklist)
    with ThreadPoolExecutor(max(1, min(len(jobs), len(os.sched_getaffinity(0))))) as pool:
        list(pool.map(_write_county, jobs))
    write_stamp(out_dir / WORKLISTS_STAMP, {"night": night.isoformat(), "digest": digest})
    private_file(out_dir / WORKLISTS_STAMP)
    return worklists
