"""入户核实清单: per county, the members of every household the departments' records signal
as at risk (M01-M07) that is not monitored, WITH ID numbers and names, for the township
cadres who visit them. Restricted like the worklists and beside them, in the county's own
folder (``<warehouse dir>/worklists/<county code>/入户核实清单_<night>.csv|xlsx``); a
person in neither the registry nor the roster without a 参保地 is listed in the
province's folder. Written only when the list changed since the last night written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.restricted import private_file, private_folder
from pipelines.core.spreadsheets import write_csv, write_workbook
from pipelines.core.state import VISIT_LISTS_STAMP, write_stamp
from pipelines.reports.worklists import county_folder, night_written, rows_digest

# restricted.visit_list column -> the header a cadre reads, in the order of a visit: where,
# which household, who, why, and the column the cadre fills in
HEADERS = {
    "area_code": "行政区划代码",
    "area_name": "区划名称",
    "household_kind": "户类别",
    "household_key": "户编号",
    "name": "姓名",
    "id_number": "证件号码",
    "relation": "与户主关系",
    "signals": "风险信号",
    "risk_eliminated": "风险消除存疑",
    "visit_result": "入户核实结果",
}
KINDS = {"registry": "建档立卡户", "roster": "档外监测户", "person": "非建档立卡、非监测对象"}
QUERY = """
    select * from restricted.visit_list
    order by county_code, area_code nulls last, household_kind, household_key,
        relation <> '户主', id_number
"""


@dataclass(frozen=True)
class VisitList:
    county_code: str
    households: int
    persons: int
    csv: Path
    xlsx: Path
    night: date  # the night its files were written (an earlier one when nothing changed)


def _visit_list(out_dir: Path, county_code: str, rows: pl.DataFrame, night: date) -> VisitList:
    folder, stem = county_folder(out_dir, county_code), f"入户核实清单_{night.isoformat()}"
    return VisitList(county_code, rows.select("household_kind", "household_key").n_unique(),
                     rows.height, folder / f"{stem}.csv", folder / f"{stem}.xlsx", night)


def _table(rows: pl.DataFrame) -> pl.DataFrame:
    """What the cadre reads: Chinese values, the empty column for the visit's result."""
    return rows.with_columns(
        pl.col("household_kind").replace(KINDS),
        risk_eliminated=pl.when(pl.col("risk_eliminated")).then(pl.lit("是")).otherwise(pl.lit("")),
        visit_result=pl.lit("", dtype=pl.String),
    ).select(list(HEADERS)).rename(HEADERS)


def write_visit_lists(conn: duckdb.DuckDBPyConnection, night: date, out_dir: Path,
                      ) -> list[VisitList]:
    """One CSV (UTF-8 with BOM) and one workbook per county with households to visit; a
    re-run of the night replaces that night's files; nothing is written when tonight's
    list is the last one written."""
    rows = conn.sql(QUERY).pl()
    private_folder(out_dir)
    digest = rows_digest([rows])
    counties = list(rows.group_by("county_code", maintain_order=True))
    standing = night_written(out_dir / VISIT_LISTS_STAMP, night, digest)
    if standing < night:
        lists = [_visit_list(out_dir, code, group, standing) for (code,), group in counties]
        if all(v.csv.exists() and v.xlsx.exists() for v in lists):
            return lists
    for old in out_dir.glob(f"*/入户核实清单_{night.isoformat()}.*"):
        old.unlink()
    lists = []
    for (code,), group in counties:
        visit_list = _visit_list(out_dir, code, group, night)
        private_folder(visit_list.csv.parent)
        table = _table(group)
        write_csv(table, visit_list.csv)
        write_workbook([("入户核实清单", table)], visit_list.xlsx)
        for path in (visit_list.csv, visit_list.xlsx):
            private_file(path)
        lists.append(visit_list)
    write_stamp(out_dir / VISIT_LISTS_STAMP, {"night": night.isoformat(), "digest": digest})
    private_file(out_dir / VISIT_LISTS_STAMP)
    return lists
