"""The cross-feed flags (R06-R10, R15) a year's registry snapshot must raise, worked out
from the frames the generator wrote, independently of the warehouse's SQL.

Single-feed rules are counted from what was planted (each row's ``_flags``); these rules
depend on how departments' records meet (and on which rows ingest quarantined), so they
are derived here from the delivered rows themselves, with the spec's definitions.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sample_feeds.feeds import age_on

IN_SCHOOL = ("小学", "初中", "高中", "中职")
DIBAO_TYPES = ("低保贫困户", "特困供养贫困户")


def _usable(frame: pl.DataFrame, labels: pl.Series) -> pl.DataFrame:
    """Rows that were not quarantined, with the person key the warehouse uses."""
    return frame.filter(~labels.str.starts_with("Q")).with_columns(
        pl.col("id_number").str.to_uppercase()
    )


def _ids(frame: pl.DataFrame) -> pl.Series:
    return frame["id_number"].unique().implode()


def cross_feed_flags(year: int, dibao_line: float, snapshot: date,
                     registry: tuple[pl.DataFrame, pl.Series],
                     dibao: tuple[pl.DataFrame, pl.Series],
                     enrollment: tuple[pl.DataFrame, pl.Series],
                     education: tuple[pl.DataFrame, pl.Series]) -> dict[str, int]:
    rows = _usable(*registry)
    households = (
        rows.sort(pl.col("relation") != "户主", "id_number")
        .group_by("household_id", maintain_order=True).first()
        .select("household_id", "household_type", "per_capita_income")
    )  # fmt: skip
    persons = (
        rows.sort("household_id").unique("id_number", keep="first")
        .drop("household_type", "per_capita_income")
        .join(households, on="household_id")
        .with_columns(age=age_on(pl.col("id_number").str.slice(6, 8)
                                  .str.to_date("%Y%m%d", strict=False)
                                  .fill_null(pl.col("birth_date")), date(year, 8, 31)))
    )  # fmt: skip
    d = _usable(*dibao).filter(
        (pl.col("status") == "在保") & (pl.col("start_date") <= snapshot)
        & (pl.col("end_date").is_null() | (pl.col("end_date") > snapshot))
    )  # fmt: skip
    covered = _ids(d)
    insured = _ids(_usable(*enrollment).filter((pl.col("year") == year)
                                               & (pl.col("status") == "正常参保")))
    school_year = f"{year}-{year + 1}"
    records = _usable(*education).filter(pl.col("school_year") == school_year)
    attending = _ids(records.filter(pl.col("enrolment_status").is_in(["在读", "休学"])))
    enrolled = _ids(records.filter(pl.col("enrolment_status") == "在读"))
    household_covered = rows.group_by("household_id").agg(
        pl.col("id_number").is_in(covered).any().alias("any_covered")
    )
    is_covered = pl.col("id_number").is_in(covered)
    status = pl.col("school_status")
    return {
        "R06": households.join(household_covered, on="household_id").filter(
            pl.col("household_type").is_in(DIBAO_TYPES) & ~pl.col("any_covered")).height,
        "R07": persons.filter(is_covered & (pl.col("household_type") == "一般贫困户")).height,
        "R08": persons.filter(~pl.col("id_number").is_in(insured)).height,
        "R09": persons.filter(pl.col("age").is_between(6, 15)
                              & ~pl.col("id_number").is_in(attending)).height,
        "R10": persons.filter(
            ((status == "非在校生") & pl.col("id_number").is_in(enrolled))
            | (status.is_in(IN_SCHOOL) & ~pl.col("id_number").is_in(enrolled))).height,
        "R15": persons.filter(is_covered & (pl.col("per_capita_income") > 2 * dibao_line)).height,
    }  # fmt: skip
