"""Worklists against hostile or careless data (issue 22, items 1, 2 and 8): a county name
is never a path, a cell is never a formula, a county too long for one sheet never fails
the night. Built on a hand-made store of the two tables the worklists read."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.core.restricted import OutsideRestrictedStore, inside
from pipelines.core.spreadsheets import SHEET_DATA_ROWS, neutralised
from pipelines.reports.worklists import write_worklists

NIGHT = date(2026, 12, 1)
FORMULAS = ['=HYPERLINK("http://evil.example","点击")', "+1+1", "-2+3", "@SUM(A1)",
            "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]  # fmt: skip


def store(tmp_path: Path, county_name: str, names: list[str], county: str = "510101000000",
          villages: list[str] | None = None) -> duckdb.DuckDBPyConnection:
    """restricted.quality_worklist and marts.quality_flags with one flag per name (in
    ``villages``, the same village by default), each with an 18-digit record number."""
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("create schema restricted; create schema marts")
    villages = villages or ["510101100201"] * len(names)
    rows = [(NIGHT, f"k{i}", "R01", "error", "证件号码错误", name, "medical", "医保局", 2020,
             date(2020, 12, 31), str(430624000000000000 + i), f"11010519491231{i:04d}", name,
             county, county_name, village, f"{village[-3:]}村", f"p{i}")
            for i, (name, village) in enumerate(zip(names, villages, strict=True))]
    conn.execute("""create table restricted.quality_worklist (run_date date, flag_key varchar,
        rule_id varchar, severity varchar, rule_title varchar, detail varchar, feed varchar,
        responsible_department varchar, year integer, delivery_date date, record_key varchar,
        id_number varchar, name varchar, county_code varchar, county_name varchar,
        area_code varchar, area_name varchar, person_key varchar)""")
    conn.executemany("insert into restricted.quality_worklist values "
                     f"({', '.join('?' * 18)})", rows)
    conn.execute("""create table marts.quality_flags as select run_date, flag_key,
        'new' as flag_status, run_date as first_seen_run_date, 1 as nights_open
        from restricted.quality_worklist""")
    conn.execute("""create table marts.ingest_reconciliation (feed varchar, delivery_date date,
        file varchar, status varchar, message_zh varchar)""")
    conn.execute("insert into marts.ingest_reconciliation values "
                 "('registry', '2020-12-31', '=1+1.csv', 'rejected', '-2+3')")
    return conn


@pytest.mark.parametrize("county_name", ["../../marts/leak", "</script>", "..", "a\0b", "县" * 200])
def test_a_county_name_never_becomes_a_path(tmp_path, county_name):
    out = tmp_path / "warehouse" / "worklists"
    with store(tmp_path, county_name, ["张三"]) as conn:
        [worklist] = write_worklists(conn, NIGHT, out)
    assert worklist.csv == out / "510101" / "510101_问题清单_2026-12-01.csv"
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["warehouse.duckdb", "warehouse/worklists/.written.json",
                       "warehouse/worklists/510101/510101_问题清单_2026-12-01.csv",
                       "warehouse/worklists/510101/510101_问题清单_2026-12-01.xlsx"]


def test_a_county_code_that_is_no_code_writes_nothing(tmp_path):
    with store(tmp_path, "乙县", ["张三"], county="../../marts") as conn, \
            pytest.raises(ValueError, match=r"county code '../../marts' is not 12 digits"):
        write_worklists(conn, NIGHT, tmp_path / "worklists")
    assert not (tmp_path / "marts").exists()


def test_nothing_restricted_is_written_where_a_path_resolves_outside_the_store(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "510101").symlink_to(tmp_path)
    with pytest.raises(OutsideRestrictedStore, match="outside the restricted folder"):
        inside(tmp_path / "store", tmp_path / "store" / "510101")
    assert inside(tmp_path / "store", tmp_path / "store" / "510102") == tmp_path / "store/510102"


def test_text_cells_that_a_spreadsheet_evaluates_are_neutralised_numbers_stay_numbers():
    frame = pl.DataFrame({"text": [*FORMULAS, "张三", "1-2", None], "n": [-2] * 10})
    assert neutralised(frame).to_dict(as_series=False) == {
        "text": [f"'{f}" for f in FORMULAS] + ["张三", "1-2", None], "n": [-2] * 10}


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_worklist_csv_and_workbook_keep_formulas_as_text(tmp_path):
    with store(tmp_path, "=1+1", FORMULAS) as conn:
        [worklist] = write_worklists(conn, NIGHT, tmp_path / "worklists")
    rows = _csv_rows(worklist.csv)
    names = [row[rows[0].index("姓名")] for row in rows[1:]]
    assert names == [f"'{f}" for f in FORMULAS]
    assert [row[rows[0].index("问题说明")] for row in rows[1:]] == names
    with zipfile.ZipFile(worklist.xlsx) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(book.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    flags = pl.read_excel(worklist.xlsx, sheet_name="问题清单")
    assert flags["姓名"].to_list() == FORMULAS  # a string cell: the text as delivered
    problems = pl.read_excel(worklist.xlsx, sheet_name="报送文件问题")
    assert problems.row(0)[2:] == ("=1+1.csv", "已拒收", "-2+3")


def test_libreoffice_opens_the_worklist_csv_without_evaluating_a_formula(tmp_path):
    """LibreOffice Calc's CSV import evaluates formulas (what a spreadsheet does to a
    double-clicked CSV): without the leading ' the =HYPERLINK cell becomes a formula."""
    with store(tmp_path, "乙县", FORMULAS) as conn:
        [worklist] = write_worklists(conn, NIGHT, tmp_path / "worklists")
    converted = tmp_path / "converted"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir",
                    str(converted), str(worklist.csv)], check=True, capture_output=True,
                   timeout=120)  # fmt: skip
    with zipfile.ZipFile(converted / worklist.csv.with_suffix(".xlsx").name) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f" not in xml.replace("<font", "")
    names = pl.read_excel(converted / worklist.csv.with_suffix(".xlsx").name)["姓名"].to_list()
    assert names[:5] == [f"'{f}" for f in FORMULAS[:5]]


def test_a_county_longer_than_a_sheet_continues_on_further_sheets(tmp_path):
    """The real limit is Excel's; the test lowers it to 4 rows a sheet."""
    assert SHEET_DATA_ROWS == 1_048_575
    names = [f"人{i}" for i in range(10)]
    with store(tmp_path, "乙县", names) as conn:
        [worklist] = write_worklists(conn, NIGHT, tmp_path / "worklists", sheet_rows=4)
    assert worklist.sheets == 3
    sheets = pl.read_excel(worklist.xlsx, sheet_id=0)
    assert list(sheets) == ["说明", "问题清单", "问题清单（2）", "问题清单（3）", "报送文件问题"]
    assert [sheets[s].height for s in list(sheets)[1:4]] == [4, 4, 2]
    listed = pl.concat([sheets[s] for s in list(sheets)[1:4]])["姓名"].to_list()
    assert listed == names
    assert sheets["说明"].item(0, 0) == (
        "“问题清单”共 10 行，超过一个工作表可容纳的 4 行，分为 3 个工作表（“问题清单”“问题清单（2）”…），"
        "按顺序接续；同名 CSV 文件为完整清单")
    assert len(_csv_rows(worklist.csv)) == 11  # the CSV stays whole
