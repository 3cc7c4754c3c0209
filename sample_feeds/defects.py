"""Quarantine cases planted in delivered text: a row made unusable in one column.

The case is chosen from the contract, so every feed gets the same three kinds:
Q01 a mandatory value left empty, Q02 a value that cannot be parsed (an impossible date,
a malformed number or area code), Q03 a value outside its code list.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.feeds import Kind, Table

QUARANTINE_CASES = ("Q01", "Q02", "Q03")
UNPARSABLE = {
    Kind.DATE: "2019-02-30",
    Kind.DECIMAL: "1.2.3",
    Kind.INTEGER: "2O16",
    Kind.AREA_CODE: "51010",
    Kind.SCHOOL_YEAR: "2019-2021",
    Kind.PERIOD: "2020-13",
}
NOT_IN_CODE_LIST = "未知"


def target_column(table: Table, case: str):
    """The column a quarantine case is planted in (the first that fits the case)."""
    if case == "Q01":
        return next(c for c in table.columns if c.mandatory)
    if case == "Q02":
        return next(c for c in table.columns if c.kind in UNPARSABLE)
    return next(c for c in table.columns if c.kind is Kind.CODE)


def draw_cases(labels: pl.Series, rng: np.random.Generator, rate: float) -> pl.Series:
    """Give rows without a defect a quarantine case with probability 3 x rate."""
    u = rng.random(len(labels))
    case = np.where(u < rate, "Q01", np.where(u < 2 * rate, "Q02",
                                             np.where(u < 3 * rate, "Q03", "")))
    return pl.Series(np.where(labels.to_numpy() == "", case, labels.to_numpy()))


def plant(text: pl.DataFrame, table: Table, labels: pl.Series) -> pl.DataFrame:
    """Overwrite the target column of every labelled row with its unusable value."""
    for case in QUARANTINE_CASES:
        column = target_column(table, case)
        value = {"Q01": None, "Q02": UNPARSABLE.get(column.kind), "Q03": NOT_IN_CODE_LIST}[case]
        text = text.with_columns(
            pl.when(labels == case).then(pl.lit(value, dtype=pl.String))
            .otherwise(pl.col(column.header)).alias(column.header)
        )
    return text
