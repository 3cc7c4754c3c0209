"""The 防返贫 monitoring roster of one county, and the residents outside the registry.

Who is on the roster, drawn once per county and seeded by (seed, county index):
- 脱贫不稳定户: a share of the registry households that exit (and do not relapse),
  included from the year after their exit, some with their risk eliminated a year or two on;
- 边缘易致贫户 and 突发严重困难户: households outside the registry (档外), with persons of
  their own, who are insured and fall ill like everyone (real 医保 claims cover everyone);
  the first two are included on the first day of the first year, so every county's
  monthly roster has rows;
- residents in neither the registry nor the roster, only in the 医保 enrollment and claims
  (some with large out-of-pocket costs: signal M01 for a person in neither).
The roster arrives monthly (the delivery calendar), one province-wide file each month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from pipelines.feeds.idnumber import check_character_expr as check_character
from sample_feeds import policy
from sample_feeds.people import GIVEN, SURNAMES, CountyPeople

UNSTABLE_SHARE = 0.08  # of the registry households that exit
UNREGISTERED_PER_HOUSEHOLDS = 50  # one 档外 monitored household per this many registry ones
OUTSIDERS_PER_HOUSEHOLDS = 40  # one resident in neither per this many registry households


@dataclass(frozen=True)
class Roster:
    """The county's monitored households (one row each) and their members (one row each,
    registry members by ``hh``, the others with their own ID numbers), and the residents
    in neither."""

    households: pl.DataFrame
    outsiders: pl.DataFrame  # members of 档外 households and residents in neither


def _with_id_numbers(persons: pl.DataFrame, county6: str, seq_from: int) -> pl.DataFrame:
    """Valid, unique ID numbers for persons outside the registry: per birth date, sequence
    numbers from ``seq_from`` on, above any the registry's persons of the county use."""
    first17 = (pl.lit(county6) + pl.col("birth_date").dt.strftime("%Y%m%d")
               + (pl.int_range(pl.len()).over("birth_date") + seq_from).cast(pl.String)
               .str.zfill(3))
    return persons.with_columns(id_number=first17 + check_character(first17))


def draw_roster(people: CountyPeople, seed: int, years: tuple[int, ...]) -> Roster:
    rng = np.random.default_rng([seed, 200 + people.county.index])
    first = years[0]
    hh = people.households
    exits = (hh["exit_year_true"] > 0) & (hh["relapse_year"] == 0)
    unstable = hh.filter(exits & pl.Series(rng.random(hh.height) < UNSTABLE_SHARE)).select(
        "hh", "village_code",
        monitor_household_id=pl.lit("J") + pl.col("household_id"),
        category=pl.lit("脱贫不稳定户"),
        included_year=pl.max_horizontal(pl.col("exit_year_true") + 1, pl.lit(first)),
    )  # fmt: skip
    n = max(2, hh.height // UNREGISTERED_PER_HOUSEHOLDS)
    villages = np.array(people.county.village_codes)
    outside = pl.DataFrame({
        "hh": -1 - np.arange(n),
        "village_code": villages[rng.integers(0, len(villages), n)],
        "monitor_household_id": [f"J{people.county.code6}X{i:05d}" for i in range(n)],
        "category": np.where(rng.random(n) < 0.7, "边缘易致贫户", "突发严重困难户"),
        "included_year": np.where(np.arange(n) < 2, first, rng.choice(years, n)),
    })  # fmt: skip
    households = pl.concat([unstable, outside.cast(unstable.schema)]).filter(
        pl.col("included_year") <= years[-1])
    k = households.height
    included = [date(int(y), 1, 1) if i < 2 or y == first and rng.random() < 0.5
                else date(int(y), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
                for i, y in enumerate(households["included_year"])]
    eliminated = [date(d.year + int(rng.integers(1, 3)), d.month, d.day)
                  if rng.random() < 0.35 else None for d in included]
    households = households.with_columns(
        included_date=pl.Series(included, dtype=pl.Date),
        eliminated_date=pl.Series(eliminated, dtype=pl.Date),
        main_risk=pl.Series(rng.choice(["因病", "因残", "因学", "因灾", "因意外事故",
                                        "因务工就业不稳", "缺劳力", "其他"], k)),
        income_factor=pl.Series(rng.random(k)),
    )  # fmt: skip
    sizes = rng.integers(1, 5, n)
    member = np.concatenate([np.arange(s) for s in sizes])
    birth = (np.repeat(rng.integers(1950, 1995, n), sizes) + np.where(member == 0, 0, 25)
             - 1970) * 365.2425 + rng.integers(0, 365, member.size)
    members = pl.DataFrame({
        "hh": np.repeat(outside["hh"].to_numpy(), sizes),
        "relation": np.where(member == 0, "户主", np.where(member == 1, "配偶", "子女")),
        "birth_date": np.minimum(birth, 2012 * 365.2425 - 1970 * 365.2425).astype("int64")
        .astype("datetime64[D]"),
    })  # fmt: skip
    m = max(2, hh.height // OUTSIDERS_PER_HOUSEHOLDS)
    neither = pl.DataFrame({
        "hh": np.zeros(m, dtype=np.int64),
        "relation": "",
        "birth_date": ((rng.integers(1940, 1990, m) - 1970) * 365.2425).astype("int64")
        .astype("datetime64[D]"),
    })  # fmt: skip
    outsiders = _with_id_numbers(pl.concat([
        members.join(outside.select("hh", "village_code"), on="hh"),
        neither.with_columns(village_code=pl.lit(people.county.code)),
    ]), people.county.code6, 800).with_columns(
        name=pl.Series(np.char.add(
            np.array(SURNAMES)[rng.integers(0, len(SURNAMES), members.height + m)],
            np.array(GIVEN)[rng.integers(0, len(GIVEN), members.height + m)])),
    )  # fmt: skip
    return Roster(households, outsiders)


def roster_rows(roster: Roster, people: CountyPeople, py: pl.DataFrame, day: date) -> pl.DataFrame:
    """The roster as it stands on ``day``: every household included by then (those whose
    risk was eliminated stay, with the date), one row per member; the registry members as
    the year's registry lists them (``py``), incomes as the registry states them or, for
    档外 households, between 1.1 and 1.6 times the poverty line."""
    line = policy.POVERTY_LINE[day.year]
    households = roster.households.filter(pl.col("included_date") <= day).with_columns(
        eliminated_date=pl.when(pl.col("eliminated_date") <= day).then(pl.col("eliminated_date")),
    )
    registry = py.select("hh", "id_number", "name", "relation", "member", "per_capita_income")
    outside = roster.outsiders.filter(pl.col("hh") < 0).select(
        "hh", "id_number", "name", "relation", member=pl.int_range(pl.len()).over("hh"))
    registered = households.filter(pl.col("hh") >= 0).join(registry, on="hh")
    unregistered = households.filter(pl.col("hh") < 0).join(outside, on="hh").with_columns(
        per_capita_income=(line * (1.1 + 0.5 * pl.col("income_factor"))).round(2))
    columns = ["monitor_household_id", "id_number", "name", "relation", "village_code",
               "category", "main_risk", "per_capita_income", "included_date", "eliminated_date"]
    return pl.concat([registered.select(columns), unregistered.select(columns)]).sort(
        "monitor_household_id", "relation").with_columns(
        _defect=pl.lit(""), _flags=pl.lit([], dtype=pl.List(pl.String)))


def outsider_enrollment(roster: Roster, year: int) -> pl.DataFrame:
    """The residents outside the registry as 医保 enrolls them: 正常参保 at their village
    (档外 members) or at their county (residents in neither, whose village 医保 does not
    know)."""
    return roster.outsiders.select(
        "id_number", "name", year=pl.lit(year), scheme=pl.lit("城乡居民基本医疗保险"),
        status=pl.lit("正常参保"), personal_paid=pl.lit(180.0 + 20 * (year - 2016)),
        subsidy=pl.lit(0.0), area_code="village_code", _defect=pl.lit(""),
        _flags=pl.lit([], dtype=pl.List(pl.String)))


def outsider_claims(roster: Roster, people: CountyPeople, seed: int, year: int) -> pl.DataFrame:
    """A year's inpatient claims of residents outside the registry: a quarter of them, some
    costly (out-of-pocket from a few thousand to tens of thousands of 元)."""
    rng = np.random.default_rng([seed, people.county.index, year, 14])
    patients = roster.outsiders.filter(pl.Series(rng.random(roster.outsiders.height) < 0.25))
    n = patients.height
    admit = np.datetime64(f"{year}-01-01") + rng.integers(0, 330, n).astype("timedelta64[D]")
    total = np.round(np.exp(rng.normal(9.6, 0.9, n)), 2)
    basic = np.round(total * 0.5, 2)
    return pl.DataFrame({
        "claim_id": np.char.add(f"{people.county.code6}{year}X", np.char.zfill(np.arange(n).astype(str), 6)),
        "id_number": patients["id_number"],
        "admit_date": admit,
        "discharge_date": admit + rng.integers(1, 21, n).astype("timedelta64[D]"),
        "total_cost": total, "basic_paid": basic, "critical_paid": 0.0,
        "assistance_paid": 0.0, "other_paid": 0.0, "in_county": "是",
        "hospital_code": f"H{people.county.code6}00",
        "_defect": "", "_flags": pl.Series([[]] * n, dtype=pl.List(pl.String)),
    }).with_columns(pl.col("admit_date", "discharge_date").cast(pl.Date))  # fmt: skip
