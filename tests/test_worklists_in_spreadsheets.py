"""The worklists as a steward opens them (issue 23, items 1 and 2): the CSV's ID numbers
and codes survive a spreadsheet's import, and the columns say where, who, what and which
department, in Chinese, wide enough to read, with a filter, village by village."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import polars as pl

from pipelines.core.spreadsheets import digits_kept_as_text
from pipelines.reports.worklists import write_worklists
from tests.test_hostile_worklists import NIGHT, _csv_rows, store

HEADER = ["行政区划代码", "区划名称", "姓名", "证件号码", "规则编号", "问题类型", "严重程度",
          "问题说明", "责任部门", "数据来源", "数据年度", "报送日期", "记录编号", "状态",
          "首次发现日期", "持续天数", "人员代码"]  # fmt: skip
TEXT_COLUMNS = ["行政区划代码", "证件号码", "记录编号"]


def _converted(tmp_path: Path, csv: Path) -> tuple[pl.DataFrame, Path]:
    """The CSV as LibreOffice Calc reads it, saved as a workbook and read back cell by cell
    with the type Calc gave each cell."""
    converted = tmp_path / "converted"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xlsx", "--outdir", str(converted), str(csv)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    book = converted / csv.with_suffix(".xlsx").name
    with zipfile.ZipFile(book) as opened:
        xml = opened.read("xl/worksheets/sheet1.xml").decode()
    types = dict(re.findall(r'<c r="([A-Z]+[0-9]+)"[^>]*?t="(\w+)"', xml))
    return pl.DataFrame([{"cell": cell, "type": kind} for cell, kind in types.items()]), book


def test_a_text_cell_of_digits_begins_with_a_tab_in_a_csv_and_nothing_else_changes():
    frame = pl.DataFrame({"id": ["510101199001011234", "51010119900101123X", "0123", "1-2", None],
                          "n": [1, 2, 3, 4, 5]})  # fmt: skip
    assert digits_kept_as_text(frame).to_dict(as_series=False) == {
        "id": ["\t510101199001011234", "51010119900101123X", "\t0123", "1-2", None],
        "n": [1, 2, 3, 4, 5]}


def test_libreoffice_keeps_every_id_number_and_code_of_the_csv_as_text(tmp_path):
    """Calc with its default import (no filter options: the dialog's defaults): without the
    tab, 证件号码 and 记录编号 become 5.10101E+17-like numbers and 行政区划代码 a number."""
    ids = [f"11010519491231{i:04d}" for i in range(3)]
    with store(tmp_path, "乙县", ["张三", "李四", "王五"]) as conn:
        [worklist] = write_worklists(conn, NIGHT, tmp_path / "worklists")
    header = _csv_rows(worklist.csv)[0]
    assert header == HEADER
    cells, book = _converted(tmp_path, worklist.csv)
    for column in TEXT_COLUMNS:
        letter = chr(ord("A") + header.index(column))
        kinds = cells.filter(pl.col("cell").str.contains(f"^{letter}[2-4]$"))["type"].to_list()
        assert kinds == ["s", "s", "s"], column  # shared strings: text, not numbers
    read = pl.read_excel(book, has_header=False, infer_schema_length=0)
    assert [v.strip() for v in read[:, header.index("证件号码")].to_list()[1:]] == ids
    assert [v.strip() for v in read[:, header.index("记录编号")].to_list()[1:]] == [
        "430624000000000000", "430624000000000001", "430624000000000002"]


def test_the_worklist_names_the_department_the_feed_in_chinese_and_sorts_by_village(tmp_path):
    villages = ["510101100202", "510101100201", "510101100202", "510101100201"]
    with store(tmp_path, "乙县", ["甲", "乙", "丙", "丁"], villages=villages) as conn:
        [worklist] = write_worklists(conn, NIGHT, tmp_path / "worklists")
    flags = pl.read_excel(worklist.xlsx, sheet_name="问题清单", infer_schema_length=0)
    assert flags.columns == HEADER
    assert flags.select("行政区划代码", "区划名称", "姓名").rows() == [
        ("510101100201", "201村", "乙"), ("510101100201", "201村", "丁"),
        ("510101100202", "202村", "甲"), ("510101100202", "202村", "丙")]
    assert set(flags["数据来源"]) == {"医保"} and set(flags["责任部门"]) == {"医保局"}
    assert [row[2] for row in _csv_rows(worklist.csv)[1:]] == ["乙", "丁", "甲", "丙"]


def test_the_workbook_has_a_filter_and_columns_as_wide_as_their_chinese_text(tmp_path):
    with store(tmp_path, "乙县", ["欧阳娜娜"]) as conn:
        [worklist] = write_worklists(conn, NIGHT, tmp_path / "worklists")
    with zipfile.ZipFile(worklist.xlsx) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert f'<autoFilter ref="A1:{chr(ord("A") + len(HEADER) - 1)}2"/>' in xml
    columns = re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml)
    width = {n: float(w) for lo, hi, w in columns for n in range(int(lo), int(hi) + 1)}
    assert width[HEADER.index("严重程度") + 1] >= 10  # 4 Chinese characters: 8 wide
    assert width[HEADER.index("持续天数") + 1] >= 10
    assert width[HEADER.index("证件号码") + 1] >= 20  # 18 digits
    assert width[HEADER.index("首次发现日期") + 1] >= 14
