"""Building deliveries in tests the way departments send them: Chinese headers, CSV in a
chosen encoding (or XLSX), a dated folder and its _SUCCESS marker."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl


def write_file(folder: Path, name: str, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    """rows[0] is the header row; values are written exactly as given."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.suffix == ".xlsx":
        pl.DataFrame(rows[1:], schema=rows[0], orient="row").write_excel(path)
        return path
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def deliver(raw: Path, feed: str, day: str, files: dict[str, list[list[str]]],
            encoding: str = "utf-8", complete: bool = True) -> Path:
    folder = raw / feed / day
    for name, rows in files.items():
        write_file(folder, name, rows, encoding)
    if complete:
        (folder / "_SUCCESS").touch()
    return folder


POPULATION_HEADER = ["行政区划代码", "区划名称", "上级区划代码", "层级", "年度", "农村户籍人口"]
STANDARDS_HEADER = ["行政区划代码", "年度", "扶贫标准", "低保标准", "贫困村退出阈值"]
REGISTRY_HEADER = [
    "户编号", "证件号码", "姓名", "与户主关系", "性别", "出生日期", "行政区划代码", "贫困户属性",
    "主要致贫原因", "劳动能力", "在校生状况", "健康状况", "家庭人均纯收入", "识别年度", "脱贫状态",
    "脱贫年度", "住房安全", "饮水安全",
]  # fmt: skip


def person(household: str, id_number: str, relation: str, village: str, status: str,
           exit_year: str = "", birth: str = "1980-01-01", income: str = "3000") -> list[str]:
    """A registry row with ordinary values where the test does not care."""
    return [household, id_number, "测试人", relation, "男", birth, village, "一般贫困户", "因病",
            "普通劳动力", "非在校生", "健康", income, "2015", status, exit_year, "是", "是"]  # fmt: skip
