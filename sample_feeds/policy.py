"""Policy lines the generator uses (and delivers as the `standards` feed).

Poverty lines follow the national 2010-price line of 2,300 元 adjusted yearly (3,146 in
2016 … 4,000 in 2020); dibao lines sit above them, as 两线合一 requires, and some counties
set a higher line of their own so that "most specific standard wins" is exercised.
"""

from __future__ import annotations

POVERTY_LINE = {2014: 2800.0, 2015: 2855.0, 2016: 3146.0, 2017: 3335.0, 2018: 3535.0,
                2019: 3747.0, 2020: 4000.0, 2021: 4100.0}  # fmt: skip
PROVINCE_DIBAO_LINE = {y: round(v * 1.15, -1) for y, v in POVERTY_LINE.items()}
EXIT_THRESHOLD_PCT = 3.00  # the synthetic province is western (西部地区 3%)


def has_own_standard(county_index: int) -> bool:
    return county_index % 3 == 0


def dibao_line(county_index: int, year: int) -> float:
    base = PROVINCE_DIBAO_LINE[year]
    return round(base * 1.10, -1) if has_own_standard(county_index) else base


def monitoring_line(year: int) -> float:
    """The 监测标准 an own-standard county sets: 1.6 x the poverty line (the province
    leaves it empty, so 1.5 x applies there)."""
    return round(POVERTY_LINE[year] * 1.6, -1)
