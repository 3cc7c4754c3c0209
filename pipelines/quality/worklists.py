"""Per-county worklists of a night's flags, WITH ID numbers and names, for the county
offices that correct the records. Written only under the restricted store, one folder per
county (``<warehouse dir>/worklists/<county code>_<county>/``, owner-only), so an office
can grant each county's steward that folder alone; never under the published marts folder.
The workbook's second sheet lists the province's problem files of the deliveries.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import rustpy_xlsxwriter

from pipelines.quality.delivery_problems import HEADERS_ZH, PROBLEM_FILES, in_chinese
from pipelines.restricted import private_file, private_folder

# restricted.quality_worklist column -> the header a county office reads
HEADERS = {
    "rule_id": "规则编号",
    "severity": "严重程度",
    "rule_title": "问题类型",
    "detail": "问题说明",
    "feed": "数据来源",
    "year": "数据年度",
    "delivery_date": "报送日期",
    "record_key": "记录编号",
    "id_number": "证件号码",
    "name": "姓名",
    "area_code": "行政区划代码",
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
    order by county_code, severity, rule_id, record_key, person_key
"""


@dataclass(frozen=True)
class Worklist:
    county_code: str
    county_name: str
    flags: int
    errors: int
    csv: Path
    xlsx: Path


def _write_county(job: tuple[pl.DataFrame, pl.DataFrame, Path, Path]) -> None:
    """One county's CSV and workbook. The workbook is written in Rust (rustpy-xlsxwriter):
    xlsxwriter took 0.35 ms a row, most of the report step at 10 M persons (1.5 M flags);
    this takes 0.03, and partly outside the GIL, so counties are written on threads."""
    table, problems, csv, xlsx = job
    table.write_csv(csv, include_bom=True)
    rustpy_xlsxwriter.write_worksheets(
        [("问题清单", table), ("报送文件问题", problems)], str(xlsx),
        freeze_panes={"general": {"row": 1, "col": 0}}, autofit=True, bold_headers=True,
        datetime_format="yyyy-mm-dd",
    )  # fmt: skip
    for path in (csv, xlsx):
        private_file(path)


def write_worklists(conn: duckdb.DuckDBPyConnection, night: date, out_dir: Path) -> list[Worklist]:
    """One CSV (UTF-8 with BOM, so Excel shows the Chinese) and one XLSX per county with
    flags, in the county's own folder; a re-run of the night replaces that night's files.
    Workbooks are written on every core: they were most of the report step's time."""
    flags = conn.sql(WORKLIST_QUERY, params=[night]).pl()
    problems = pl.DataFrame(in_chinese(conn.execute(PROBLEM_FILES).fetchall()),
                            schema=HEADERS_ZH, orient="row")
    private_folder(out_dir)
    for old in out_dir.glob(f"*/*_{night.isoformat()}.*"):
        old.unlink()
    written, jobs = [], []
    for (county_code, county_name), rows in flags.group_by("county_code", "county_name",
                                                           maintain_order=True):
        county = f"{county_code[:6]}_{county_name or '未知县'}"
        folder = private_folder(out_dir / county)
        stem = f"{county}_问题清单_{night.isoformat()}"
        table = rows.with_columns(
            pl.col("severity").replace({"error": "错误", "warning": "提示"}),
            pl.col("flag_status").replace({"new": "新发现", "open": "未整改"}),
        ).select(list(HEADERS)).rename(HEADERS)
        csv, xlsx = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
        jobs.append((table, problems, csv, xlsx))
        written.append(Worklist(county_code, county_name or "未知县", rows.height,
                                int((rows["severity"] == "error").sum()), csv, xlsx))
    with ThreadPoolExecutor(max(1, min(len(jobs), len(os.sched_getaffinity(0))))) as pool:
        list(pool.map(_write_county, jobs))
    return written
