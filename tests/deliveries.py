"""Building deliveries in tests the way departments send them: Chinese headers, CSV in a
chosen encoding (or XLSX), a dated folder and its _SUCCESS marker."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from pipelines.feeds.idnumber import check_character


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
STANDARDS_HEADER = ["行政区划代码", "年度", "扶贫标准", "低保标准", "贫困村退出阈值", "监测标准"]
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


VALID_ROWS: dict[str, dict[str, str]] = {
    "population": {"area_code": "510101100201", "area_name": "一村", "parent_code": "510101100000",
                   "level": "村", "year": "2020", "rural_population": "1,200"},
    "standards": {"area_code": "510000000000", "year": "2020", "poverty_line": "4000",
                  "dibao_line": "4600", "exit_threshold_pct": "3.00", "monitoring_line": ""},
    "registry": dict(zip(
        ["household_id", "id_number", "name", "relation", "sex", "birth_date", "village_code",
         "household_type", "main_cause", "labor_capacity", "school_status", "health",
         "per_capita_income", "identified_year", "poverty_status", "exit_year", "housing_safe",
         "water_safe"],
        ["H1", "11010519491231002X", "张三", "户主", "男", "1949-12-31", "510101100201",
         "一般贫困户", "因病", "普通劳动力", "非在校生", "健康", "3000", "2015", "已脱贫", "2019",
         "是", "是"], strict=True)),
    "dibao": {"certificate_no": "DB1", "id_number": "11010519491231002X", "name": "张三",
              "head_id_number": "11010519491231002X", "category": "农村低保",
              "monthly_benefit": "300", "start_date": "2019-01-01", "end_date": "",
              "status": "在保", "village_code": "510101100201"},
    "medical_enrollment": {"id_number": "11010519491231002X", "name": "张三", "year": "2020",
                           "scheme": "城乡居民基本医疗保险", "status": "正常参保",
                           "personal_paid": "0", "subsidy": "280", "area_code": "510101000000"},
    "medical_claims": {"claim_id": "C1", "id_number": "11010519491231002X",
                       "admit_date": "2020-03-01", "discharge_date": "2020-03-05",
                       "total_cost": "1000", "basic_paid": "600", "critical_paid": "0",
                       "assistance_paid": "100", "other_paid": "200", "in_county": "是",
                       "hospital_code": "H1"},
    "education": {"student_no": "S1", "id_number": "11010519491231002X", "name": "张三",
                  "school_year": "2020-2021", "stage": "小学", "enrolment_status": "在读",
                  "school_code": "X", "area_code": "510101100201", "aid_program": "营养改善计划",
                  "aid_amount": "800"},
    "funds": {"project_id": "P1", "project_name": "项目", "county_code": "510101000000",
              "fund_source": "中央", "category": "产业发展", "year": "2020", "period": "2020-12",
              "allocated": "100", "disbursed": "90", "spent": "80"},
    "monitoring": {"monitor_household_id": "M1", "id_number": "11010519491231002X",
                   "name": "张三", "relation": "户主", "village_code": "510101100201",
                   "category": "脱贫不稳定户", "main_risk": "因病", "per_capita_income": "5000",
                   "included_date": "2020-03-01", "eliminated_date": ""},
}  # fmt: skip


def table_file(table, rows: list[dict[str, str]]) -> list[list[str]]:
    """A delivered file of `table` (contract.Table): the Chinese header and the rows."""
    return [[c.header for c in table.columns], *[[r[c.name] for c in table.columns] for r in rows]]


def make_id(birth: str, seq: str, area: str = "510101") -> str:
    """A valid ID number: area code, birth date YYYYMMDD, 3-digit sequence (odd = 男)."""
    first17 = area + birth + seq
    return first17 + check_character(first17)
