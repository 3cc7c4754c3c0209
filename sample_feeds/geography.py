"""A synthetic province: province -> city -> county -> township -> village, sized by persons.

Codes are well-formed 12-digit statistical division codes (province 2, city 2, county 2,
township 3, village 3 digits). Each county also gets the delivery habits of its office
(encoding, file format, date style) so the feeds look like real county exports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

PROVINCE_CODE = "51"
PROVINCE_NAME = "示范省"
REGISTERED_PER_VILLAGE = 150
VILLAGES_PER_TOWNSHIP = 12
PERSONS_PER_COUNTY = 20_000
COUNTIES_PER_CITY = 8
MIN_COUNTIES = 3

DATE_STYLES = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
ENCODINGS = ("utf-8", "gb18030", "utf-8-sig")
_NAME_PARTS = "东南西北上下大小新老青石河山林泉桥湾坪沟岭坝塘"


@dataclass(frozen=True)
class County:
    index: int
    code: str  # 12 digits
    name: str
    village_codes: tuple[str, ...]
    persons: int
    encoding: str
    date_style: str
    thousands: bool
    xlsx: bool

    @property
    def code6(self) -> str:
        return self.code[:6]


@dataclass(frozen=True)
class Geography:
    areas: pl.DataFrame  # area_code, area_name, parent_code, level (省/市/县/乡/村)
    counties: tuple[County, ...]


def _place_name(rng: np.random.Generator, suffix: str) -> str:
    return "".join(rng.choice(list(_NAME_PARTS), 2)) + suffix


def build_geography(persons: int, seed: int) -> Geography:
    """Areas sized so that villages hold ~150 registered persons and counties ~20,000."""
    rng = np.random.default_rng([seed, 1])
    n_counties = max(MIN_COUNTIES, round(persons / PERSONS_PER_COUNTY))
    n_cities = max(1, math.ceil(n_counties / COUNTIES_PER_CITY))
    per_county = np.full(n_counties, persons // n_counties)
    per_county[: persons % n_counties] += 1

    rows: list[tuple[str, str, str | None, str]] = [
        (PROVINCE_CODE + "0" * 10, PROVINCE_NAME, None, "省")
    ]
    for c in range(n_cities):
        code = f"{PROVINCE_CODE}{c + 1:02d}" + "0" * 8
        rows.append((code, _place_name(rng, "市"), rows[0][0], "市"))
    counties = []
    for k in range(n_counties):
        city = f"{PROVINCE_CODE}{k % n_cities + 1:02d}"
        county6 = f"{city}{k // n_cities + 1:02d}"
        county_code = county6 + "0" * 6
        county_name = _place_name(rng, "县")
        rows.append((county_code, county_name, city + "0" * 8, "县"))
        n_villages = max(4, round(per_county[k] / REGISTERED_PER_VILLAGE))
        n_townships = max(2, round(n_villages / VILLAGES_PER_TOWNSHIP))
        villages = []
        for t in range(n_townships):
            township9 = f"{county6}{100 + t + 1:03d}"
            rows.append((township9 + "000", _place_name(rng, "镇"), county_code, "乡"))
            for v in range(t, n_villages, n_townships):
                code = f"{township9}{200 + v // n_townships + 1:03d}"
                rows.append((code, _place_name(rng, "村"), township9 + "000", "村"))
                villages.append(code)
        counties.append(
            County(
                index=k,
                code=county_code,
                name=county_name,
                village_codes=tuple(villages),
                persons=int(per_county[k]),
                encoding=ENCODINGS[k % len(ENCODINGS)],
                date_style=DATE_STYLES[k % len(DATE_STYLES)],
                thousands=k % 2 == 1,
                # XLSX exports are rarer than CSV (and slow to write): one county in 50
                xlsx=k % 50 == 4 or (n_counties < 5 and k == n_counties - 1),
            )
        )
    areas = pl.DataFrame(
        rows, schema=["area_code", "area_name", "parent_code", "level"], orient="row"
    )
    return Geography(areas=areas, counties=tuple(counties))
