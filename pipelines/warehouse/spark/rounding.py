"""DuckDB's round() for Spark: the double's exact binary value rounded half away from zero.

Spark's round() on a DOUBLE rounds the shortest decimal that prints it instead: -0.19985 is
stored as -0.19984999999999999987, which DuckDB rounds to 4 decimals as -0.1998 and Spark
as -0.1999. The published ratios are DuckDB's, and one unit apart in a village's value is
a different year-over-year change, median and modified z-score in indicator_outliers; so
the Spark build rounds ratios with this function (macro round_ratio, session.py registers
it as povmon_round).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float | None, decimals: int) -> float | None:
    if value is None or not math.isfinite(value):
        return value
    return float(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
