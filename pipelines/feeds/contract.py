"""The declarative description of every raw feed (shared/spec/feeds.md), in one place.

The ingest, the generator, the staging tables and (later) the validation suites all read
this module, so the contract cannot drift between them. A feed has one or more tables;
a table is a list of columns with their Chinese header, English name, type, whether the
row is unusable without it (``mandatory``) and, for coded columns, the code list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a raw text value is parsed; see pipelines/ingest/parse.py for the SQL of each."""

    TEXT = "text"
    ID_NUMBER = "id_number"  # kept as text; its validity is flag R01, not a quarantine
    AREA_CODE = "area_code"  # exactly 12 digits
    INTEGER = "integer"
    DECIMAL = "decimal"  # thousands separators allowed
    DATE = "date"  # YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD
    CODE = "code"  # value must be in the column's code list
    SCHOOL_YEAR = "school_year"  # YYYY-YYYY, consecutive years
    PERIOD = "period"  # YYYY-MM


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    kind: Kind
    mandatory: bool = True
    codes: tuple[str, ...] = ()
    minimum: float | None = None  # plausible range, checked as a warning (not quarantine)
    maximum: float | None = None
    strict_minimum: bool = False


@dataclass(frozen=True)
class Table:
    """One staged table. ``file_prefix`` tells the table's files apart inside a delivery."""

    name: str
    columns: tuple[Column, ...]
    file_prefix: str = ""
    natural_key: tuple[str, ...] = ()  # unique within one delivery
    # (group, column, value): each group has exactly one row with column = value
    exactly_one: tuple[str, str, str] | None = None

    @property
    def headers(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    @property
    def staged_name(self) -> str:
        return f"raw.{self.name}"


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    tables: tuple[Table, ...]
    formats: tuple[str, ...] = ("csv",)

    def table_for(self, file_name: str) -> Table | None:
        """The table a delivered file belongs to (by file-name prefix), or None."""
        if len(self.tables) == 1:
            return self.tables[0]
        return next((t for t in self.tables if file_name.startswith(t.file_prefix)), None)


YES_NO = ("是", "否")
LEVELS = ("省", "市", "县", "乡", "村")
RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他")
SEXES = ("男", "女")
HOUSEHOLD_TYPES = ("一般贫困户", "低保贫困户", "特困供养贫困户")
MAIN_CAUSES = (
    "因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金",
    "交通条件落后", "自身发展动力不足",
)  # fmt: skip
LABOR_CAPACITIES = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
SCHOOL_STATUSES = ("学前教育", "小学", "初中", "高中", "中职", "高职", "本科及以上", "非在校生")
HEALTH = ("健康", "长期慢性病", "大病", "残疾")
POVERTY_STATUSES = ("未脱贫", "已脱贫", "返贫")
DIBAO_CATEGORIES = ("农村低保", "农村特困供养")
DIBAO_STATUSES = ("在保", "停保")
SCHEMES = ("城乡居民基本医疗保险", "职工基本医疗保险")
ENROLLMENT_STATUSES = ("正常参保", "暂停参保", "终止参保")
STAGES = ("学前教育", "小学", "初中", "高中", "中职")
ENROLMENT_STATUSES = ("在读", "休学", "辍学", "转出", "毕业")
FUND_SOURCES = ("中央", "省级", "市级", "县级")
FUND_CATEGORIES = ("产业发展", "基础设施", "教育", "健康", "危房改造", "易地搬迁", "金融扶贫", "其他")
MONITORING_CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
MAIN_RISKS = ("因病", "因残", "因学", "因灾", "因意外事故", "因务工就业不稳", "缺劳力", "其他")

K = Kind
C = Column

POPULATION = Feed(
    id="population",
    title="农村户籍人口（统计局）",
    tables=(
        Table("population", (
            C("行政区划代码", "area_code", K.AREA_CODE),
            C("区划名称", "area_name", K.TEXT),
            C("上级区划代码", "parent_code", K.AREA_CODE, mandatory=False),
            C("层级", "level", K.CODE, codes=LEVELS),
            C("年度", "year", K.INTEGER, minimum=1990, maximum=2100),
            C("农村户籍人口", "rural_population", K.INTEGER, mandatory=False, minimum=0),
        ), natural_key=("area_code", "year")),
    ),
)  # fmt: skip

STANDARDS = Feed(
    id="standards",
    title="扶贫标准与低保标准（扶贫办/民政局）",
    tables=(
        Table("standards", (
            C("行政区划代码", "area_code", K.AREA_CODE),
            C("年度", "year", K.INTEGER, minimum=1990, maximum=2100),
            C("扶贫标准", "poverty_line", K.DECIMAL, minimum=0),
            C("低保标准", "dibao_line", K.DECIMAL, minimum=0),
            C("贫困村退出阈值", "exit_threshold_pct", K.DECIMAL, minimum=0, maximum=100),
            # the upper edge of the 防返贫 monitoring band; empty: 1.5 x the poverty line
            C("监测标准", "monitoring_line", K.DECIMAL, mandatory=False, minimum=0),
        ), natural_key=("area_code", "year")),
    ),
)  # fmt: skip

REGISTRY = Feed(
    id="registry",
    title="建档立卡贫困人口（扶贫办）",
    formats=("csv", "xlsx"),
    tables=(
        Table("registry", (
            C("户编号", "household_id", K.TEXT),
            C("证件号码", "id_number", K.ID_NUMBER),
            C("姓名", "name", K.TEXT, mandatory=False),
            C("与户主关系", "relation", K.CODE, codes=RELATIONS),
            C("性别", "sex", K.CODE, mandatory=False, codes=SEXES),
            C("出生日期", "birth_date", K.DATE, mandatory=False),
            C("行政区划代码", "village_code", K.AREA_CODE),
            C("贫困户属性", "household_type", K.CODE, codes=HOUSEHOLD_TYPES),
            C("主要致贫原因", "main_cause", K.CODE, mandatory=False, codes=MAIN_CAUSES),
            C("劳动能力", "labor_capacity", K.CODE, mandatory=False, codes=LABOR_CAPACITIES),
            C("在校生状况", "school_status", K.CODE, mandatory=False, codes=SCHOOL_STATUSES),
            C("健康状况", "health", K.CODE, mandatory=False, codes=HEALTH),
            C("家庭人均纯收入", "per_capita_income", K.DECIMAL, minimum=0),
            C("识别年度", "identified_year", K.INTEGER, minimum=1990, maximum=2100),
            C("脱贫状态", "poverty_status", K.CODE, codes=POVERTY_STATUSES),
            C("脱贫年度", "exit_year", K.INTEGER, mandatory=False, minimum=1990, maximum=2100),
            C("住房安全", "housing_safe", K.CODE, mandatory=False, codes=YES_NO),
            C("饮水安全", "water_safe", K.CODE, mandatory=False, codes=YES_NO),
        ), natural_key=("household_id", "id_number"),
           exactly_one=("household_id", "relation", "户主")),
    ),
)  # fmt: skip

DIBAO = Feed(
    id="dibao",
    title="低保和特困供养对象（民政局）",
    formats=("csv", "xlsx"),
    tables=(
        Table("dibao", (
            C("低保证号", "certificate_no", K.TEXT),
            C("证件号码", "id_number", K.ID_NUMBER),
            C("姓名", "name", K.TEXT, mandatory=False),
            C("户主证件号码", "head_id_number", K.ID_NUMBER, mandatory=False),
            C("保障类别", "category", K.CODE, codes=DIBAO_CATEGORIES),
            C("月保障金额", "monthly_benefit", K.DECIMAL, mandatory=False, minimum=0),
            C("审批日期", "start_date", K.DATE),
            C("终止日期", "end_date", K.DATE, mandatory=False),
            C("保障状态", "status", K.CODE, codes=DIBAO_STATUSES),
            C("行政区划代码", "village_code", K.AREA_CODE),
        ), natural_key=("certificate_no", "id_number")),
    ),
)  # fmt: skip

MEDICAL = Feed(
    id="medical",
    title="基本医疗保险参保与住院结算（医保局）",
    tables=(
        Table("medical_enrollment", (
            C("证件号码", "id_number", K.ID_NUMBER),
            C("姓名", "name", K.TEXT, mandatory=False),
            C("参保年度", "year", K.INTEGER, minimum=1990, maximum=2100),
            C("险种", "scheme", K.CODE, codes=SCHEMES),
            C("参保状态", "status", K.CODE, codes=ENROLLMENT_STATUSES),
            C("个人缴费", "personal_paid", K.DECIMAL, mandatory=False, minimum=0),
            C("财政资助", "subsidy", K.DECIMAL, mandatory=False, minimum=0),
            C("参保地区划代码", "area_code", K.AREA_CODE, mandatory=False),
        ), file_prefix="enrollment", natural_key=("id_number", "year", "scheme")),
        Table("medical_claims", (
            C("结算单号", "claim_id", K.TEXT),
            C("证件号码", "id_number", K.ID_NUMBER),
            C("入院日期", "admit_date", K.DATE),
            C("出院日期", "discharge_date", K.DATE),
            C("医疗总费用", "total_cost", K.DECIMAL, minimum=0, strict_minimum=True),
            C("基本医保支付", "basic_paid", K.DECIMAL, minimum=0),
            C("大病保险支付", "critical_paid", K.DECIMAL, minimum=0),
            C("医疗救助支付", "assistance_paid", K.DECIMAL, minimum=0),
            C("其他保障支付", "other_paid", K.DECIMAL, minimum=0),
            C("是否县域内", "in_county", K.CODE, codes=YES_NO),
            C("医疗机构代码", "hospital_code", K.TEXT, mandatory=False),
        ), file_prefix="claims", natural_key=("claim_id",)),
    ),
)  # fmt: skip

EDUCATION = Feed(
    id="education",
    title="学籍与学生资助（教育局）",
    tables=(
        Table("education", (
            C("学籍号", "student_no", K.TEXT),
            C("证件号码", "id_number", K.ID_NUMBER),
            C("姓名", "name", K.TEXT, mandatory=False),
            C("学年", "school_year", K.SCHOOL_YEAR),
            C("学段", "stage", K.CODE, codes=STAGES),
            C("学籍状态", "enrolment_status", K.CODE, codes=ENROLMENT_STATUSES),
            C("学校代码", "school_code", K.TEXT, mandatory=False),
            C("学校区划代码", "area_code", K.AREA_CODE),
            C("资助项目", "aid_program", K.TEXT, mandatory=False),
            C("资助金额", "aid_amount", K.DECIMAL, mandatory=False, minimum=0),
        ), natural_key=("student_no", "school_year")),
    ),
)  # fmt: skip

FUNDS = Feed(
    id="funds",
    title="财政专项扶贫资金（财政局）",
    tables=(
        Table("funds", (
            C("项目编号", "project_id", K.TEXT),
            C("项目名称", "project_name", K.TEXT, mandatory=False),
            C("县级区划代码", "county_code", K.AREA_CODE),
            C("资金来源", "fund_source", K.CODE, codes=FUND_SOURCES),
            C("项目类别", "category", K.CODE, mandatory=False, codes=FUND_CATEGORIES),
            C("年度", "year", K.INTEGER, minimum=1990, maximum=2100),
            C("报告期", "period", K.PERIOD),
            C("下达金额", "allocated", K.DECIMAL, minimum=0),
            C("拨付金额", "disbursed", K.DECIMAL, minimum=0),
            C("支出金额", "spent", K.DECIMAL, minimum=0),
        ), natural_key=("project_id", "period")),
    ),
)  # fmt: skip

MONITORING = Feed(
    id="monitoring",
    title="防返贫监测对象（乡村振兴局）",
    formats=("csv", "xlsx"),
    tables=(
        Table("monitoring", (
            C("监测户编号", "monitor_household_id", K.TEXT),
            C("证件号码", "id_number", K.ID_NUMBER),
            C("姓名", "name", K.TEXT, mandatory=False),
            C("与户主关系", "relation", K.CODE, codes=RELATIONS),
            C("行政区划代码", "village_code", K.AREA_CODE),
            C("监测对象类别", "category", K.CODE, codes=MONITORING_CATEGORIES),
            C("主要风险类型", "main_risk", K.CODE, mandatory=False, codes=MAIN_RISKS),
            C("家庭人均纯收入", "per_capita_income", K.DECIMAL, mandatory=False, minimum=0),
            C("纳入监测日期", "included_date", K.DATE),
            C("风险消除日期", "eliminated_date", K.DATE, mandatory=False),
        ), natural_key=("monitor_household_id", "id_number"),
           exactly_one=("monitor_household_id", "relation", "户主")),
    ),
)  # fmt: skip

FEEDS: dict[str, Feed] = {
    f.id: f for f in (POPULATION, STANDARDS, REGISTRY, DIBAO, MEDICAL, EDUCATION, FUNDS,
                      MONITORING)
}
TABLES: dict[str, Table] = {t.name: t for f in FEEDS.values() for t in f.tables}
