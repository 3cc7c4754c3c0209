"""Rows of every feed for one county and one delivery, from the county's simulated people.

Each builder returns a typed frame with the contract's English column names plus a
``_defect`` column naming the deliberate defect a row carries ("" for none). Typed
defects (a shifted birth date, a missing 户主 …) are planted here; text defects that make
a row unusable are planted after formatting (see sample_feeds/defects.py).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from sample_feeds import policy
from sample_feeds.people import CountyPeople

STAGE_AID = {
    "学前教育": ("学前资助", 1000.0),
    "小学": ("营养改善计划", 800.0),
    "初中": ("寄宿生生活补助", 1250.0),
    "高中": ("国家助学金", 2000.0),
    "中职": ("免学杂费", 2000.0),
}
CLAIM_RATE = 0.08


def _rng(people: CountyPeople, seed: int, year: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng([seed, people.county.index, year, purpose])


def age_on(birth: pl.Expr, on: date) -> pl.Expr:
    """Completed years on a date (birthday counted on the day itself)."""
    years = on.year - birth.dt.year()
    before = (birth.dt.month() > on.month) | (
        (birth.dt.month() == on.month) & (birth.dt.day() > on.day)
    )
    return years - before.cast(pl.Int32)


def _school_status(age: pl.Expr) -> pl.Expr:
    return (
        pl.when(age.is_between(3, 5)).then(pl.lit("学前教育"))
        .when(age.is_between(6, 11)).then(pl.lit("小学"))
        .when(age.is_between(12, 14)).then(pl.lit("初中"))
        .when(age.is_between(15, 17)).then(pl.col("upper_school"))
        .otherwise(pl.lit("非在校生"))
    )  # fmt: skip


def person_year(people: CountyPeople, seed: int, year: int, mid_year: bool) -> pl.DataFrame:
    """Every registered person of the county in a registry snapshot of ``year``, with the
    household's state then: status, income, school status, and this year's dropouts
    and insurance gaps (rules R09 and R08)."""
    as_of = year - 1 if mid_year else year
    hh = people.households.filter(pl.col("identified_year") <= year)
    line = policy.POVERTY_LINE[year]
    dline = policy.dibao_line(people.county.index, year)
    exited = (pl.col("exit_year_true") > 0) & (pl.col("exit_year_true") <= as_of)
    relapsed = (pl.col("relapse_year") > 0) & (pl.col("relapse_year") <= as_of)
    hh = hh.with_columns(
        poverty_status=pl.when(relapsed).then(pl.lit("返贫"))
        .when(exited).then(pl.lit("已脱贫")).otherwise(pl.lit("未脱贫")),
    ).with_columns(
        exit_year=pl.when(pl.col("poverty_status") != "未脱贫")
        .then(pl.col("exit_year_true")).otherwise(None),
        # exited: 1.2-2.0 x the poverty line, below twice any dibao line (R15 only planted)
        per_capita_income=pl.when(pl.col("poverty_status") == "已脱贫")
        .then(line * (1.2 + 0.8 * pl.col("income_factor")))
        .otherwise(line * (0.55 + 0.4 * pl.col("income_factor"))),
        housing_safe=pl.when(pl.col("housing_fixed_year") <= as_of).then(pl.lit("是"))
        .otherwise(pl.lit("否")),
        water_safe=pl.when(pl.col("water_fixed_year") <= as_of).then(pl.lit("是"))
        .otherwise(pl.lit("否")),
        dibao_covered=pl.col("household_type") != "一般贫困户",
        home_village_code=pl.col("village_code"),  # where the children go to school
    )  # fmt: skip
    hh = _plant_household_defects(hh, line, dline)
    persons = people.persons.join(hh, on="hh", how="inner", suffix="_hh")
    rng = _rng(people, seed, year, 1)
    rate = people.defect_rate
    age = age_on(pl.col("birth_date"), date(year, 8, 31))
    persons = persons.with_columns(
        age=age,
        true_school=_school_status(age),
        year_draw=pl.Series(rng.random(persons.height)),
    ).with_columns(
        dropout=pl.col("age").is_between(6, 15) & (pl.col("year_draw") < rate),
        insurance_gap=(pl.col("year_draw") >= rate) & (pl.col("year_draw") < 2 * rate),
    )
    return persons


def _plant_household_defects(hh: pl.DataFrame, line: float, dline: float) -> pl.DataFrame:
    d = pl.col("defect")
    dibao_type = pl.col("household_type") != "一般贫困户"
    exited = pl.col("poverty_status") == "已脱贫"
    return hh.with_columns(
        village_code=pl.when(d == "R05")
        .then(pl.col("village_code").str.slice(0, 9) + "999").otherwise(pl.col("village_code")),
        dibao_covered=pl.when((d == "R06") & dibao_type).then(False)
        .when((d == "R07") & ~dibao_type).then(True).otherwise(pl.col("dibao_covered")),
        exit_year=pl.when((d == "R13") & exited).then(None).otherwise(pl.col("exit_year")),
        per_capita_income=pl.when((d == "R14") & exited).then(line * 0.8)
        .when((d == "R15") & dibao_type).then(dline * 2.5)
        .otherwise(pl.col("per_capita_income")),
        defect=pl.when(
            ((d == "R06") & ~dibao_type) | ((d == "R07") & dibao_type)
            | (d.is_in(["R13", "R14"]) & ~exited) | ((d == "R15") & ~dibao_type)
        ).then(pl.lit("")).otherwise(d),
    )  # fmt: skip


HOUSEHOLD_COLUMNS = ["village_code", "household_type", "main_cause", "per_capita_income",
                     "identified_year", "poverty_status", "exit_year", "housing_safe",
                     "water_safe"]  # fmt: skip
REGISTRY_COLUMNS = ["household_id", "id_number", "name", "relation", "sex", "birth_date",
                    *HOUSEHOLD_COLUMNS[:3], "labor_capacity", "school_status", "health",
                    *HOUSEHOLD_COLUMNS[3:], "_defect", "_flags"]  # fmt: skip


def flags(*cases: tuple[pl.Expr, str]) -> pl.Expr:
    """The rules a row is expected to raise (the ``_flags`` list the truth counts)."""
    return pl.concat_list(
        [pl.when(condition).then(pl.lit(rule)).otherwise(pl.lit(None, pl.String))
         for condition, rule in cases]
    ).list.drop_nulls()  # fmt: skip


def registry_rows(py: pl.DataFrame) -> pl.DataFrame:
    """The 建档立卡 rows: one per member, plus R04's copies in a neighbouring household.

    ``_flags`` holds the single-feed rules a row must raise: its person's planted ID
    defects (R01-R04) and, on the head's row (member 0) only, its household's planted
    defect (R05, R13, R14, R17: one flag per household).
    """
    d = pl.col("defect")
    hd = pl.col("defect_hh")
    rows = py.with_columns(
        relation=pl.when((hd == "R17") & (pl.col("member") == 0)).then(pl.lit("其他"))
        .otherwise(pl.col("relation")),
        sex=pl.when(pl.col("male") != (d == "R03")).then(pl.lit("男")).otherwise(pl.lit("女")),
        birth_date=pl.when(d == "R02").then(pl.col("birth_date") + pl.duration(days=40))
        .otherwise(pl.col("birth_date")),
        school_status=pl.when(pl.col("dropout")).then(pl.lit("非在校生"))
        .when((d == "R10") & (pl.col("true_school") != "非在校生")).then(pl.lit("非在校生"))
        .otherwise(pl.col("true_school")),
        labor_capacity=pl.when(pl.col("age") < 16).then(pl.lit("无劳动力"))
        .when(pl.col("age") > 65).then(pl.lit("弱劳动力或半劳动力"))
        .when(pl.col("health") == "残疾").then(pl.lit("丧失劳动力"))
        .otherwise(pl.lit("普通劳动力")),
        # one label per row: household defect, else person defect, else this year's gaps
        _defect=pl.when(hd != "").then(hd).when(d != "").then(d)
        .when(pl.col("dropout")).then(pl.lit("R09"))
        .when(pl.col("insurance_gap")).then(pl.lit("R08")).otherwise(pl.lit("")),
    )  # fmt: skip
    rows = rows.with_columns(
        _defect=pl.when((pl.col("_defect") == "R10") & (pl.col("true_school") == "非在校生"))
        .then(pl.lit("")).otherwise(pl.col("_defect"))
    )
    # R04: a person of a household without a household defect is listed again in the next
    # such household of the village (which states its own household fields).
    heads = rows.filter((pl.col("member") == 0) & (hd == "")).sort("household_id")
    neighbours = heads.select(
        "household_id", neighbour=pl.col("household_id").shift(-1).over("village_code")
    ).drop_nulls()
    copies = (
        rows.filter((d == "R04") & (hd == ""))
        .join(neighbours, on="household_id")
        .drop(HOUSEHOLD_COLUMNS)
        .join(heads.select("household_id", *HOUSEHOLD_COLUMNS),
              left_on="neighbour", right_on="household_id")
        .with_columns(household_id=pl.col("neighbour"), relation=pl.lit("其他"))
    )  # fmt: skip
    copied = copies["id_number"].implode()
    head = pl.col("member") == 0
    rows = rows.with_columns(_flags=flags(
        (d == "R01", "R01"), (d == "R02", "R02"), (d == "R03", "R03"),
        (pl.col("id_number").is_in(copied), "R04"),
        (head & (hd == "R05"), "R05"), (head & (hd == "R13"), "R13"),
        (head & (hd == "R14"), "R14"), (head & (hd == "R17"), "R17"),
    ))  # fmt: skip
    copies = copies.with_columns(_flags=pl.lit(["R04"], dtype=pl.List(pl.String)))
    return pl.concat([rows.select(REGISTRY_COLUMNS), copies.select(REGISTRY_COLUMNS)])


def dibao_rows(py: pl.DataFrame, seed: int, people: CountyPeople, year: int) -> pl.DataFrame:
    covered = py.filter(pl.col("dibao_covered"))
    heads = py.filter(pl.col("member") == 0).select("hh", head_id_number="id_number",
                                                     head_defect="defect")
    dline = policy.dibao_line(people.county.index, year)
    rng = _rng(people, seed, year, 2)
    return covered.join(heads, on="hh", how="left").with_columns(
        certificate_no="DB" + pl.col("household_id"),
        category=pl.when(pl.col("household_type") == "特困供养贫困户")
        .then(pl.lit("农村特困供养")).otherwise(pl.lit("农村低保")),
        monthly_benefit=((dline - pl.col("per_capita_income")).clip(lower_bound=600.0)
                         * pl.col("size") / 12).round(2),
        start_date=pl.date(pl.col("identified_year"), 1, 1)
        + pl.duration(days=pl.Series(rng.integers(0, 300, covered.height))),
        end_date=pl.lit(None, dtype=pl.Date),
        status=pl.lit("在保"),
        _defect=pl.when(pl.col("defect_hh").is_in(["R05", "R07", "R15"]))
        .then(pl.col("defect_hh")).when(pl.col("defect") == "R01").then(pl.lit("R01"))
        .otherwise(pl.lit("")),
        _flags=flags(((pl.col("defect") == "R01") | (pl.col("head_defect") == "R01"), "R01"),
                     ((pl.col("member") == 0) & (pl.col("defect_hh") == "R05"), "R05")),
    ).select("certificate_no", "id_number", "name", "head_id_number", "category",
             "monthly_benefit", "start_date", "end_date", "status", "village_code", "_defect",
             "_flags")  # fmt: skip


def enrollment_rows(py: pl.DataFrame, seed: int, people: CountyPeople, year: int) -> pl.DataFrame:
    """One enrollment per registered person; R08 gaps are a missing row or 暂停参保."""
    people_once = py.unique("id_number", keep="first", maintain_order=True)
    rng = _rng(people, seed, year, 3)
    gap_kind = rng.random(people_once.height) < 0.5
    fee = 180.0 + 20 * (year - 2016)
    return people_once.with_columns(gap_kind=pl.Series(gap_kind)).filter(
        ~(pl.col("insurance_gap") & pl.col("gap_kind"))
    ).with_columns(
        year=pl.lit(year),
        scheme=pl.lit("城乡居民基本医疗保险"),
        status=pl.when(pl.col("insurance_gap")).then(pl.lit("暂停参保"))
        .otherwise(pl.lit("正常参保")),
        personal_paid=pl.when(pl.col("household_type") == "一般贫困户").then(fee / 2)
        .otherwise(0.0),
        subsidy=pl.when(pl.col("household_type") == "一般贫困户").then(fee / 2).otherwise(fee),
        area_code=pl.col("village_code"),
        _defect=pl.lit(""),  # R08 is the registered person's flag, labelled on the registry
        _flags=flags((pl.col("defect") == "R01", "R01")),
    ).select("id_number", "name", "year", "scheme", "status", "personal_paid", "subsidy",
             "area_code", "_defect", "_flags")  # fmt: skip


def claims_rows(py: pl.DataFrame, seed: int, people: CountyPeople, year: int) -> pl.DataFrame:
    """Inpatient settlements discharged in ``year`` (the delta of the year-end delivery)."""
    rng = _rng(people, seed, year, 4)
    patients = py.unique("id_number", keep="first", maintain_order=True)
    patients = patients.filter(pl.Series(rng.random(patients.height) < CLAIM_RATE))
    n = patients.height
    admit = np.datetime64(f"{year}-01-01") + rng.integers(0, 340, n).astype("timedelta64[D]")
    stay = rng.integers(1, 21, n).astype("timedelta64[D]")
    in_county = rng.random(n) < 0.75
    total = np.round(np.exp(rng.normal(8.6, 0.7, n)), 2)
    basic = np.round(total * np.where(in_county, 0.65, 0.55), 2)
    critical = np.round(np.where(total > 12000, total * 0.08, 0.0), 2)
    assistance = np.round(total * 0.06, 2)
    target = np.where(in_county, 0.90, 0.82)
    other = np.round(np.maximum(0.0, total * target - basic - critical - assistance), 2)
    defect = np.where(rng.random(n) < people.defect_rate * 5, "R11", "")
    kind = rng.integers(0, 3, n)
    assistance = np.where((defect == "R11") & (kind == 0), -assistance, assistance)
    other = np.where((defect == "R11") & (kind == 1), total, other)
    discharge = np.where((defect == "R11") & (kind == 2), admit - stay, admit + stay)
    return pl.DataFrame(
        {
            "claim_id": np.char.add(f"{people.county.code6}{year}",
                                    np.char.zfill(np.arange(n).astype(str), 7)),
            "id_number": patients["id_number"],
            "admit_date": admit,
            "discharge_date": discharge,
            "total_cost": total,
            "basic_paid": basic,
            "critical_paid": critical,
            "assistance_paid": assistance,
            "other_paid": other,
            "in_county": np.where(in_county, "是", "否"),
            "hospital_code": np.char.add(f"H{people.county.code6}0",
                                         (np.arange(n) % 7).astype(str)),
            "_defect": defect,
            "_r01": patients["defect"] == "R01",
        }
    ).with_columns(
        pl.col("admit_date", "discharge_date").cast(pl.Date),
        _flags=flags((pl.col("_r01"), "R01"), (pl.col("_defect") == "R11", "R11")),
    ).drop("_r01")


def education_rows(py: pl.DataFrame, seed: int, people: CountyPeople, year: int) -> pl.DataFrame:
    """Records for school year ``year``-(``year``+1): 在读 for pupils, 辍学 or nothing for
    dropouts, aid for most 在读 pupils, and R16's aid on a 休学 record."""
    rng = _rng(people, seed, year, 5)
    pupils = py.unique("id_number", keep="first", maintain_order=True).filter(
        pl.col("true_school") != "非在校生"
    )
    n = pupils.height
    draw = rng.random(n)
    rate = people.defect_rate
    pupils = pupils.with_columns(draw=pl.Series(draw)).filter(
        ~(pl.col("dropout") & (pl.col("draw") < 0.5))
    )
    aid = pl.col("true_school").replace_strict(
        {k: v[0] for k, v in STAGE_AID.items()}, default=None
    )
    amount = pl.col("true_school").replace_strict(
        {k: v[1] for k, v in STAGE_AID.items()}, default=None, return_dtype=pl.Float64
    )
    r16 = (pl.col("draw") > 0.5) & (pl.col("draw") < 0.5 + rate * 5) & ~pl.col("dropout")
    no_aid = pl.col("draw") > 0.97
    return pupils.with_columns(
        student_no=pl.lit("S") + pl.col("id_number").str.slice(0, 6)
        + pl.col("hh").cast(pl.String).str.zfill(6) + pl.col("member").cast(pl.String),
        school_year=pl.lit(f"{year}-{year + 1}"),
        stage=pl.col("true_school"),
        enrolment_status=pl.when(pl.col("dropout")).then(pl.lit("辍学"))
        .when(r16).then(pl.lit("休学")).otherwise(pl.lit("在读")),
        school_code=pl.lit(people.county.code6) + pl.col("true_school").rank("dense")
        .cast(pl.String).str.zfill(3),
        area_code=pl.col("home_village_code"),
        aid_program=pl.when(pl.col("dropout") | no_aid).then(None).otherwise(aid),
        aid_amount=pl.when(pl.col("dropout") | no_aid).then(None).otherwise(amount),
        _defect=pl.when(r16).then(pl.lit("R16")).otherwise(pl.lit("")),
        _flags=flags((pl.col("defect") == "R01", "R01"), (r16, "R16")),
    ).select("student_no", "id_number", "name", "school_year", "stage", "enrolment_status",
             "school_code", "area_code", "aid_program", "aid_amount", "_defect", "_flags")  # fmt: skip


def funds_rows(seed: int, people: CountyPeople, year: int, last_month: int) -> pl.DataFrame:
    """Cumulative monthly amounts (万元) of the county's projects, January to last_month.
    Lagging counties end the year below the 90 % spending target; one project in some
    county-years breaks R12 (spent more than disbursed)."""
    rng = _rng(people, seed, year, 6)
    county = people.county
    n = 6 + county.index % 5
    allocated = np.round(rng.uniform(20, 500, n), 2)
    lagging = county.index % 6 == 3
    spent_share = rng.uniform(0.75, 0.85, n) if lagging else rng.uniform(0.92, 0.99, n)
    paid_share = np.minimum(1.0, spent_share + 0.03)
    months = np.arange(1, last_month + 1)
    progress = (months / 12) ** 1.3
    broken = rng.random() < max(0.25, people.defect_rate * n)
    rows = pl.DataFrame(
        {
            "project_id": np.repeat([f"{county.code6}{year}{j:03d}" for j in range(n)],
                                    last_month),
            "project_name": np.repeat([f"{county.name}扶贫项目{j + 1}" for j in range(n)],
                                      last_month),
            "county_code": county.code,
            "fund_source": np.repeat(rng.choice(["中央", "省级", "市级", "县级"], n,
                                                p=[0.55, 0.25, 0.1, 0.1]), last_month),
            "category": np.repeat(rng.choice(["产业发展", "基础设施", "教育", "健康",
                                              "危房改造", "易地搬迁", "金融扶贫", "其他"], n),
                                  last_month),
            "year": year,
            "period": np.tile([f"{year}-{m:02d}" for m in months], n),
            "allocated": np.repeat(allocated, last_month),
            "disbursed": np.round(np.outer(allocated * paid_share, progress).ravel(), 2),
            "spent": np.round(np.outer(allocated * spent_share, progress ** 1.2).ravel(), 2),
        }
    )  # fmt: skip
    last_of_first = (pl.col("project_id") == f"{county.code6}{year}000") & (
        pl.col("period") == f"{year}-{last_month:02d}"
    )
    return rows.with_columns(
        spent=pl.when(last_of_first & broken).then(pl.col("disbursed") + 1.0)
        .otherwise(pl.col("spent")),
        _defect=pl.when(last_of_first & broken).then(pl.lit("R12")).otherwise(pl.lit("")),
        _flags=flags((last_of_first & broken, "R12")),
    )  # fmt: skip


def population_rows(people: CountyPeople, areas: pl.DataFrame, seed: int, year: int,
                    ) -> pl.DataFrame:
    """The county's own areas (county, townships, villages) with village populations sized
    so that incidence starts near 8-20 % and falls as households exit."""
    county6 = people.county.code6
    own = areas.filter(pl.col("area_code").str.starts_with(county6))
    registered = people.persons.join(people.households, on="hh").group_by("village_code").len()
    rng = np.random.default_rng([seed, people.county.index, 7])
    base = own.join(registered, left_on="area_code", right_on="village_code", how="left")
    incidence0 = pl.Series(rng.uniform(0.08, 0.20, base.height))
    return base.with_columns(
        year=pl.lit(year),
        level=pl.col("level"),
        rural_population=pl.when(pl.col("level") == "村").then(
            (pl.col("len").fill_null(0) / incidence0 * 0.99 ** (year - 2016)).round(0)
            .cast(pl.Int64)
        ),
        _defect=pl.lit(""),
        _flags=pl.lit([], dtype=pl.List(pl.String)),
    ).select("area_code", "area_name", "parent_code", "level", "year", "rural_population",
             "_defect", "_flags")  # fmt: skip
