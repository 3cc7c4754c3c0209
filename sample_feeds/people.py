"""The persons and households of one county, drawn once and followed over the years.

Everything is vectorised (NumPy/Polars) and seeded by (seed, county index), so a county
can be generated alone, in bounded memory, and the same seed always gives the same data.
Each person and household also carries a *defect slot*: at most one deliberate defect
(a quarantine case or a quality rule) so that defects do not mask each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.feeds import contract
from pipelines.feeds.idnumber import CHECK_CHARS
from pipelines.feeds.idnumber import check_character_expr as check_character
from sample_feeds.geography import County

HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6, 7])
HOUSEHOLD_SIZE_P = np.array([0.12, 0.20, 0.25, 0.22, 0.12, 0.06, 0.03])
IDENTIFIED_YEARS = np.array([2014, 2015, 2016, 2017, 2018, 2019])
IDENTIFIED_P = np.array([0.50, 0.20, 0.15, 0.07, 0.05, 0.03])
EXIT_YEARS = np.array([2015, 2016, 2017, 2018, 2019, 2020, 0])  # 0 = not yet exited
EXIT_P = np.array([0.10, 0.20, 0.25, 0.25, 0.14, 0.05, 0.01])
RELAPSE_SHARE = 0.02
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉珍华建国红梅春林海云")

# Household-level defect slots (one per household at most), in order of the draw.
HOUSEHOLD_DEFECTS = ("R05", "R06", "R07", "R13", "R14", "R15", "R17")
# Person-level registry defect slots; Q* are quarantine cases, never on the head's row.
PERSON_DEFECTS = ("Q01", "Q02", "Q03", "R01", "R02", "R03", "R04", "R10")


@dataclass(frozen=True)
class CountyPeople:
    county: County
    defect_rate: float
    households: pl.DataFrame
    persons: pl.DataFrame


def _slots(u: np.ndarray, names: tuple[str, ...], rate: float) -> np.ndarray:
    """Assign each draw u in [0,1) to at most one defect: slot i covers [i*rate, (i+1)*rate)."""
    index = np.floor(u / rate).astype(np.int64) if rate > 0 else np.full(len(u), len(names))
    labels = np.array([*names, ""])
    return labels[np.minimum(index, len(names))]


def draw_people(county: County, seed: int, defect_rate: float) -> CountyPeople:
    rng = np.random.default_rng([seed, 100 + county.index])
    sizes = rng.choice(HOUSEHOLD_SIZES, size=county.persons, p=HOUSEHOLD_SIZE_P)
    ends = np.cumsum(sizes)
    n_h = int(np.searchsorted(ends, county.persons) + 1)
    sizes = sizes[:n_h]
    sizes[-1] -= ends[n_h - 1] - county.persons
    villages = np.array(county.village_codes)
    village = villages[rng.integers(0, len(villages), n_h)]
    household_type = rng.choice(
        np.array(contract.HOUSEHOLD_TYPES), n_h, p=[0.72, 0.24, 0.04]
    )
    exit_year = rng.choice(EXIT_YEARS, n_h, p=EXIT_P)
    identified = np.minimum(rng.choice(IDENTIFIED_YEARS, n_h, p=IDENTIFIED_P), 2020)
    exit_year = np.where((exit_year > 0) & (exit_year <= identified), identified + 1, exit_year)
    exit_year = np.where(exit_year > 2020, 0, exit_year)
    relapse = np.where(
        (exit_year > 0) & (exit_year < 2020) & (rng.random(n_h) < RELAPSE_SHARE),
        exit_year + 1 + rng.integers(0, 2, n_h),
        0,
    )
    relapse = np.where(relapse > 2020, 0, relapse)
    households = pl.DataFrame(
        {
            "hh": np.arange(n_h),
            "village_code": village,
            "size": sizes,
            "household_type": household_type,
            "identified_year": identified,
            "exit_year_true": exit_year,
            "relapse_year": relapse,
            "income_factor": rng.random(n_h),
            "main_cause": rng.choice(np.array(contract.MAIN_CAUSES), n_h),
            "housing_fixed_year": rng.choice([2014, 2016, 2017, 2018, 2019, 2021], n_h),
            "water_fixed_year": rng.choice([2014, 2015, 2017, 2018, 2019, 2021], n_h),
            "defect": _slots(rng.random(n_h), HOUSEHOLD_DEFECTS, defect_rate),
        }
    ).with_columns(
        household_id=pl.col("village_code") + pl.col("hh").cum_count().over("village_code")
        .cast(pl.String).str.zfill(4),
    )  # fmt: skip

    hh_of = np.repeat(np.arange(n_h), sizes)
    # each person's place in the household (0 = 户主), from where the household starts once
    # the last one is cut to size (the uncut ends would put its members before it)
    member = np.arange(county.persons) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    head_birth = rng.integers(1940, 1991, n_h)[hh_of]
    other = rng.choice(
        np.array(["子女", "父母", "孙子女", "兄弟姐妹", "其他"]),
        county.persons,
        p=[0.72, 0.12, 0.11, 0.03, 0.02],
    )
    relation = np.where(member == 0, "户主", np.where(member == 1, "配偶", other))
    offset = np.select(
        [relation == "户主", relation == "配偶", relation == "子女", relation == "父母",
         relation == "孙子女"],
        [0, rng.integers(-5, 6, county.persons), rng.integers(20, 36, county.persons),
         rng.integers(-32, -19, county.persons), rng.integers(44, 60, county.persons)],
        rng.integers(-10, 11, county.persons),
    )  # fmt: skip
    birth_year = np.clip(head_birth + offset, 1925, 2018)
    birth_date = (
        (birth_year - 1970) * 365.2425 + rng.integers(0, 365, county.persons)
    ).astype("int64").astype("datetime64[D]")
    head_male = rng.random(n_h)[hh_of] < 0.75
    male = np.where(
        relation == "户主", head_male, np.where(relation == "配偶", ~head_male,
                                                rng.random(county.persons) < 0.5)
    )  # fmt: skip
    persons = pl.DataFrame(
        {
            "hh": hh_of,
            "member": member,
            "relation": relation,
            "male": male,
            "birth_date": birth_date,
            "name": np.char.add(
                np.array(SURNAMES)[rng.integers(0, len(SURNAMES), county.persons)],
                np.char.add(
                    np.array(GIVEN)[rng.integers(0, len(GIVEN), county.persons)],
                    np.where(rng.random(county.persons) < 0.6,
                             np.array(GIVEN)[rng.integers(0, len(GIVEN), county.persons)], ""),
                ),
            ),
            "health": rng.choice(np.array(contract.HEALTH), county.persons,
                                 p=[0.70, 0.18, 0.05, 0.07]),
            "upper_school": rng.choice(np.array(["高中", "中职", "非在校生"]), county.persons,
                                       p=[0.6, 0.25, 0.15]),
            "defect": _slots(rng.random(county.persons), PERSON_DEFECTS, defect_rate),
        }
    ).with_columns(
        # quarantining the head's row would also break R17; keep those cases on members
        defect=pl.when((pl.col("member") == 0) & pl.col("defect").str.starts_with("Q"))
        .then(pl.lit(""))
        .otherwise(pl.col("defect")),
    )
    persons = _with_id_numbers(persons, county)
    return CountyPeople(county, defect_rate, households, persons)


def _with_id_numbers(persons: pl.DataFrame, county: County) -> pl.DataFrame:
    """Valid, unique 18-character ID numbers: the sequence is the rank among persons of the
    county with the same birth date and sex (odd for men), so no two persons collide."""
    persons = persons.with_columns(
        seq=(
            pl.col("hh").cum_count().over(["birth_date", "male"]) * 2
            + pl.col("male").cast(pl.Int64)
            + 10
        )
    )
    first17 = (
        pl.lit(county.code6)
        + pl.col("birth_date").dt.strftime("%Y%m%d")
        + pl.col("seq").cast(pl.String).str.zfill(3)
    )
    good = first17 + check_character(first17)
    # R01: a wrong check character, the commonest typo in real registers
    wrong = first17 + pl.lit(CHECK_CHARS + CHECK_CHARS[0]).str.slice(
        pl.lit(CHECK_CHARS).str.find(check_character(first17)) + 1, 1
    )
    return persons.with_columns(
        id_number=pl.when(pl.col("defect") == "R01").then(wrong).otherwise(good)
    ).drop("seq")
