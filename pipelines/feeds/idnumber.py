"""Resident ID numbers (GB 11643-1999): the ISO 7064 MOD 11-2 check character.

Used by the generator (as a Polars expression, to make valid numbers and deliberately broken ones) and
by tests; the warehouse checks validity in SQL (dbt macro ``id_number_is_valid``) with
the same weights and mapping, so both sides agree on what rule R01 means.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # remainder r -> CHECK_CHARS[r]
_FORM = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    if not re.fullmatch(r"\d{17}", first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def is_valid(id_number: str) -> bool:
    """True when the number has the right form, a real birth date and the right check."""
    value = id_number.strip().upper()
    if not _FORM.match(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return value[17] == check_character(value[:17])


def check_character_expr(first17: pl.Expr) -> pl.Expr:
    """The check character of a column of 17-digit strings, as a Polars expression."""
    total = pl.sum_horizontal(
        first17.str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(WEIGHTS)
    )
    return pl.lit(CHECK_CHARS).str.slice(total % 11, 1)


def valid_sql(column: str) -> str:
    """DuckDB SQL that is true when ``column`` holds a valid ID number (rule R01); the dbt
    macro ``id_number_is_valid`` says the same, and a test holds the two together. The
    check-character sum is written out term by term, a cast per character (the macro says
    why not a list lambda, nor the 17 characters read as one integer)."""
    total = " + ".join(f"try_cast(substr({column}, {i}, 1) as integer) * {w}"
                       for i, w in enumerate(WEIGHTS, start=1))
    return (
        f"coalesce(regexp_full_match({column}, '[0-9]{{17}}[0-9X]') "
        f"and try_strptime(substr({column}, 7, 8), '%Y%m%d') is not null "
        f"and substr('{CHECK_CHARS}', 1 + ({total}) % 11, 1) = right({column}, 1), false)"
    )
