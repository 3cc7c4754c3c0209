"""`povmon generate`: every feed of shared/spec/feeds.md for a synthetic province.

Streams county by county, one county per core (memory is bounded by the largest county
times the workers, not by N), and writes each county's file into every delivery folder.
Besides the feeds it writes its own ground truth under ``<out>/_truth/`` so tests can
check the pipeline against numbers the pipeline did not compute:

- ``poverty_persons.csv``: per snapshot year and area (the village, or the township for a
  person whose village code is unknown) the registered, poor, exited and relapsed persons;
- ``coverage_persons.csv``: per year and area the registered persons and those with a
  usable 正常参保 enrollment (program_coverage, medical_insurance);
- ``files.csv``: per delivered file the data rows and the rows planted to be quarantined;
- ``flags.csv``: per feed, delivery and rule the quality flags the warehouse must raise:
  single-feed rules counted from what was planted (each row's ``_flags``, quarantined rows
  excluded), cross-feed rules worked out from the delivered rows (generate/cross_feed.py).

- ``monitoring.csv``: the late and the missing county delivery and the outlier village
  planted for the monitoring marts (generate/monitoring.py).

Deliveries per year Y follow the default delivery calendar of the marts
(dbt_project/seeds/delivery_calendar.csv): standards Y-01-15; population Y-03-31 (the
year's figures); registry Y-06-30 and Y-12-31; funds Y-06-30 and Y-12-31; education
Y-10-15; dibao Y-12-31; medical as 医保局 sends it: the enrollment roster with March's
claims on Y-03-31, and claims only at the end of every other month (one province-wide
settlement file per month, ``claims_YYYYMM.csv``), so the year's last medical delivery
holds no enrollment file (snapshots are per table). Also one rejected delivery (dibao,
last year 06-30: a file without 证件号码), one incomplete folder (registry, the January
after the last year, no _SUCCESS) and the planted monitoring cases.
"""

from __future__ import annotations

import calendar
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.feeds import FEEDS, TABLES
from sample_feeds import defects, feeds, policy
from sample_feeds.cross_feed import cross_feed_flags
from sample_feeds.geography import County, Geography, build_geography
from sample_feeds.monitoring import Planted
from sample_feeds.people import CountyPeople, draw_people
from sample_feeds.relapse import (
    Roster,
    draw_roster,
    outsider_claims,
    outsider_enrollment,
    roster_rows,
)
from sample_feeds.write import (
    join_province_files,
    mark_complete,
    to_delivery_text,
    write_delivery_file,
)

DEFAULT_YEARS = (2016, 2017, 2018, 2019, 2020)
# Reference feeds get no quarantine cases: a lost village row would turn its persons into
# R05 cases and blur the ground truth; their parsing is covered by unit tests instead.
REFERENCE_TABLES = ("population", "standards")
# Nor does the roster: a lost member row would change a household's persons and blur the
# roster's truth (_truth/roster.csv); its parsing is the same generic path as every feed's.
UNDEFECTED_TABLES = ("registry", "monitoring", *REFERENCE_TABLES)  # registry: persons' slots
ENROLLMENT_MONTH = 3  # 医保局 delivers the year's enrollment roster at the end of March
POPULATION_MONTH = 3  # 统计局 sends the year's area list and rural population by March 31


PARTS = "_parts"  # counties' parts of the province-wide files, until they are joined


@dataclass
class Truth:
    files: list[dict] = field(default_factory=list)
    flags: list[pl.DataFrame] = field(default_factory=list)
    poverty: list[pl.DataFrame] = field(default_factory=list)
    coverage: list[pl.DataFrame] = field(default_factory=list)
    roster: list[pl.DataFrame] = field(default_factory=list)
    complete: set[Path] = field(default_factory=set)

    def add(self, county: Truth) -> None:
        """A county's truth after those before it (county order keeps the files' order)."""
        self.files += county.files
        self.flags += county.flags
        self.poverty += county.poverty
        self.coverage += county.coverage
        self.roster += county.roster
        self.complete |= county.complete


@dataclass(frozen=True)
class Plan:
    out: Path
    seed: int
    years: tuple[int, ...]
    defect_rate: float

    @property
    def planted(self) -> Planted:
        return Planted(self.years)


def _county_file(county: County, table_name: str) -> str:
    prefix = {"medical_enrollment": "enrollment", "medical_claims": "claims"}
    return f"{prefix.get(table_name, table_name)}_{county.code6}"


def _deliver(plan: Plan, truth: Truth, county: County, feed_id: str, table_name: str,
             day: date, frame: pl.DataFrame, *, complete: bool = True,
             rejected: bool = False, drop_header: str | None = None,
             province_file: str | None = None) -> pl.Series:
    """Format, plant quarantine cases, write one file and account for it in the truth;
    returns each row's label (its quarantine case or rule, "" for a clean row).

    With ``province_file``, the county's rows are part of that province-wide UTF-8 file
    instead (a department system that exports the whole province at once): written as the
    county's part, joined in county order when every county is done."""
    table = TABLES[table_name]
    rng = np.random.default_rng([plan.seed, county.index, day.toordinal(), len(table_name)])
    labels = frame["_defect"]
    if table_name not in UNDEFECTED_TABLES:
        labels = defects.draw_cases(labels, rng, plan.defect_rate)
    text = defects.plant(to_delivery_text(frame, table, county), table, labels)
    if table_name == "registry" and county.index == 1:
        text = text.with_columns(备注=pl.lit("县扶贫办导出"))  # an extra column: a warning
    if county.index == 2 and not province_file:
        text = text.rename({h: f" {h} " for h in text.columns})  # padded headers
    if drop_header:
        text = text.drop(drop_header)
    folder = plan.out / feed_id / day.isoformat()
    if province_file:
        path = (folder / province_file).with_suffix(".csv")
        part = plan.out / PARTS / path.relative_to(plan.out) / f"{county.index:05d}"
        write_delivery_file(text, part, "utf-8", False)
    else:
        xlsx = county.xlsx and "xlsx" in FEEDS[feed_id].formats
        path = write_delivery_file(text, folder / _county_file(county, table_name),
                                   county.encoding, xlsx, day)
    if complete:
        truth.complete.add(folder)
    quarantined = int(labels.str.starts_with("Q").sum())
    truth.files.append({
        "feed": feed_id, "table": table_name, "delivery_date": day.isoformat(),
        "file": path.name, "rows": frame.height, "quarantined": quarantined,
        "status": "rejected" if rejected else ("loaded" if complete else
                                               "skipped_incomplete"),
    })  # fmt: skip
    if complete and not rejected:
        _count_flags(truth, feed_id, day,
                     frame.filter(~labels.str.starts_with("Q"))["_flags"].explode().drop_nulls()
                     .rename("rule_id"))
    return labels


def _count_flags(truth: Truth, feed_id: str, day: date, rules: pl.Series | dict[str, int]) -> None:
    counts = (pl.DataFrame({"rule_id": list(rules), "flags": list(rules.values())})
              if isinstance(rules, dict) else rules.value_counts(name="flags"))
    truth.flags.append(counts.select(
        pl.lit(feed_id).alias("feed"), pl.lit(day.isoformat()).alias("delivery_date"),
        pl.col("rule_id").cast(pl.String), pl.col("flags").cast(pl.Int64),
    ))  # fmt: skip


def _deliver_monthly_claims(plan: Plan, truth: Truth, county: County, year: int,
                            claims: pl.DataFrame) -> None:
    """Each claim in the delivery at the end of the month it was settled in (its discharge,
    or its admission when a defect puts the discharge first); March's arrive with the
    enrollment roster."""
    months = claims.with_columns(
        month=pl.max_horizontal("admit_date", "discharge_date").dt.month())
    for (month,), rows in months.sort("month").group_by("month", maintain_order=True):
        day = date(year, month, calendar.monthrange(year, month)[1])
        _deliver(plan, truth, county, "medical", "medical_claims", day, rows.drop("month"),
                 province_file=f"claims_{year}{month:02d}")


def _counted_persons(registry: pl.DataFrame, county: County) -> pl.DataFrame:
    """The spec's person counting, done independently: usable rows only, one row per
    person (smallest household_id), unknown villages counted at their township."""
    villages = pl.Series(county.village_codes)
    return (
        registry.filter(~pl.col("_defect").str.starts_with("Q"))
        .with_columns(pl.col("id_number").str.to_uppercase())
        .sort("household_id")
        .unique("id_number", keep="first")
        .with_columns(
            area_code=pl.when(pl.col("village_code").is_in(villages.implode()))
            .then(pl.col("village_code"))
            .otherwise(pl.col("village_code").str.slice(0, 9) + "000")
        )
    )


def _poverty_truth(persons: pl.DataFrame, year: int) -> pl.DataFrame:
    status = pl.col("poverty_status")
    return persons.group_by("area_code").agg(
        registered_persons=pl.len(),
        poor_persons=status.is_in(["未脱贫", "返贫"]).sum(),
        exited_in_year=((status == "已脱贫") & (pl.col("exit_year") == year)).sum(),
        relapsed_persons=(status == "返贫").sum(),
    ).with_columns(year=pl.lit(year))


def _insurance_truth(persons: pl.DataFrame, enrollment: pl.DataFrame, labels: pl.Series,
                     year: int) -> pl.DataFrame:
    """医保参保 as the generator wrote it: a registered person is covered when a usable
    (not quarantined) enrollment row of the year says 正常参保."""
    enrolled = enrollment.with_columns(label=labels).filter(
        (pl.col("status") == "正常参保") & ~pl.col("label").str.starts_with("Q")
    )["id_number"]
    return persons.group_by("area_code").agg(
        eligible_persons=pl.len(),
        covered_persons=pl.col("id_number").is_in(enrolled.implode()).sum(),
    ).with_columns(year=pl.lit(year), program=pl.lit("medical_insurance"))


def _deliver_monthly_rosters(plan: Plan, truth: Truth, roster: Roster, people: CountyPeople,
                             py: pl.DataFrame, year: int) -> None:
    """The roster at the end of every month, each month's in one province-wide file, and
    the year-end roster's active households and persons per category in the truth."""
    for month in range(1, 13):
        day = date(year, month, calendar.monthrange(year, month)[1])
        rows = roster_rows(roster, people, py, day)
        _deliver(plan, truth, people.county, "monitoring", "monitoring", day, rows,
                 province_file=f"monitoring_{year}{month:02d}")
    active = rows.filter(pl.col("eliminated_date").is_null())
    truth.roster.append(active.group_by("category").agg(
        active_households=pl.col("monitor_household_id").n_unique(), active_persons=pl.len(),
    ).with_columns(year=pl.lit(year), county_code=pl.lit(people.county.code)))


def _generate_county(plan: Plan, truth: Truth, geo: Geography, people: CountyPeople,
                     roster: Roster) -> None:
    county = people.county
    last = plan.years[-1]
    for year in plan.years:
        for due, mid in ((date(year, 6, 30), True), (date(year, 12, 31), False)):
            py = feeds.person_year(people, plan.seed, year, mid_year=mid)
            registry = feeds.registry_rows(py)
            if county.index == 0:
                registry = registry.with_columns(pl.col("id_number").str.to_lowercase())
            registry_labels = _deliver(plan, truth, county, "registry", "registry",
                                       plan.planted.registry_day(county.index, due), registry)
            if plan.planted.sends_funds(county.index, due):
                _deliver(plan, truth, county, "funds", "funds", due,
                         feeds.funds_rows(plan.seed, people, year, 6 if mid else 12))
        persons = _counted_persons(registry, county)
        truth.poverty.append(_poverty_truth(persons, year))
        year_end = date(year, 12, 31)
        dibao = feeds.dibao_rows(py, plan.seed, people, year)
        dibao_labels = _deliver(plan, truth, county, "dibao", "dibao", year_end, dibao)
        enrollment = feeds.enrollment_rows(py, plan.seed, people, year)
        enrollment = pl.concat([enrollment, outsider_enrollment(roster, year)
                                .select(enrollment.columns).cast(enrollment.schema)])
        labels = _deliver(plan, truth, county, "medical", "medical_enrollment",
                          date(year, ENROLLMENT_MONTH, 31), enrollment)
        truth.coverage.append(_insurance_truth(persons, enrollment, labels, year))
        claims = feeds.claims_rows(py, plan.seed, people, year)
        claims = pl.concat([claims, outsider_claims(roster, people, plan.seed, year)
                            .select(claims.columns).cast(claims.schema)])
        _deliver_monthly_claims(plan, truth, county, year, claims)
        _deliver_monthly_rosters(plan, truth, roster, people, py, year)
        education = feeds.education_rows(py, plan.seed, people, year)
        education_labels = _deliver(plan, truth, county, "education", "education",
                                    date(year, 10, 15), education)
        _count_flags(truth, "registry", year_end, cross_feed_flags(
            year, policy.dibao_line(county.index, year), year_end,
            registry=(registry, registry_labels), dibao=(dibao, dibao_labels),
            enrollment=(enrollment, labels), education=(education, education_labels)))
        _deliver(plan, truth, county, "population", "population",
                 date(year, POPULATION_MONTH, 31),
                 feeds.population_rows(people, geo.areas, plan.seed, year))
    rejected = feeds.dibao_rows(feeds.person_year(people, plan.seed, last, mid_year=True),
                                plan.seed, people, last)
    _deliver(plan, truth, county, "dibao", "dibao", date(last, 6, 30), rejected, rejected=True,
             drop_header="证件号码" if county.index == 0 else None)
    if county.index == 0:
        _deliver(plan, truth, county, "registry", "registry", date(last + 1, 1, 31),
                 feeds.registry_rows(feeds.person_year(people, plan.seed, last, False)),
                 complete=False)


def _county(plan: Plan, geo: Geography, index: int) -> Truth:
    """Every delivery file of one county (in a worker process) and its share of the truth."""
    truth = Truth()
    people = plan.planted.plant_outlier(draw_people(geo.counties[index], plan.seed,
                                                    plan.defect_rate))  # fmt: skip
    _generate_county(plan, truth, geo, people, draw_roster(people, plan.seed, plan.years))
    return truth


def _counties(plan: Plan, geo: Geography, workers: int) -> Iterator[Truth]:
    """The counties' truths in county order, generated ``workers`` at a time."""
    indexes = range(len(geo.counties))
    if workers == 1:
        yield from (_county(plan, geo, i) for i in indexes)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(_county, repeat(plan), repeat(geo), indexes)


def _province_files(plan: Plan, truth: Truth, geo: Geography) -> None:
    """The rows no county owns: province and city areas, and the yearly standards."""
    top = geo.areas.filter(pl.col("level").is_in(["省", "市"]))
    for year in plan.years:
        day = date(year, POPULATION_MONTH, 31)
        folder = plan.out / "population" / day.isoformat()
        frame = top.with_columns(year=pl.lit(year), rural_population=pl.lit(None, pl.Int64))
        text = to_delivery_text(frame, TABLES["population"], geo.counties[0])
        path = write_delivery_file(text, folder / "population_province", "utf-8", False)
        truth.files.append({"feed": "population", "table": "population",
                            "delivery_date": day.isoformat(), "file": path.name,
                            "rows": frame.height, "quarantined": 0, "status": "loaded"})
        own = [c for c in geo.counties if policy.has_own_standard(c.index)]
        standards = pl.DataFrame({
            "area_code": [geo.areas["area_code"][0]] + [c.code for c in own],
            "year": year,
            "poverty_line": policy.POVERTY_LINE[year],
            "dibao_line": [policy.PROVINCE_DIBAO_LINE[year]]
            + [policy.dibao_line(c.index, year) for c in own],
            "exit_threshold_pct": policy.EXIT_THRESHOLD_PCT,
            # the province leaves 监测标准 empty (1.5 x its line); own-standard counties set one
            "monitoring_line": [None] + [policy.monitoring_line(year) for _ in own],
        })  # fmt: skip
        day = date(year, 1, 15)
        folder = plan.out / "standards" / day.isoformat()
        text = to_delivery_text(standards, TABLES["standards"], geo.counties[0])
        path = write_delivery_file(text, folder / "standards", "utf-8", False)
        truth.complete.add(folder)
        truth.files.append({"feed": "standards", "table": "standards",
                            "delivery_date": day.isoformat(), "file": path.name,
                            "rows": standards.height, "quarantined": 0, "status": "loaded"})


def _write_truth(out: Path, truth: Truth, plan: Plan, geo: Geography) -> None:
    folder = out / "_truth"
    folder.mkdir(parents=True, exist_ok=True)
    plan.planted.truth(geo.counties).write_csv(folder / "monitoring.csv")
    pl.DataFrame(truth.files).group_by(  # a province-wide file is written county by county
        "feed", "table", "delivery_date", "file", "status", maintain_order=True
    ).agg(pl.col("rows", "quarantined").sum()).select(
        "feed", "table", "delivery_date", "file", "rows", "quarantined", "status"
    ).write_csv(folder / "files.csv")
    pl.concat(truth.poverty).select(
        "year", "area_code", "registered_persons", "poor_persons", "exited_in_year",
        "relapsed_persons",
    ).sort("year", "area_code").write_csv(folder / "poverty_persons.csv")
    pl.concat(truth.coverage).select(
        "year", "area_code", "program", "eligible_persons", "covered_persons",
    ).sort("year", "area_code").write_csv(folder / "coverage_persons.csv")
    pl.concat(truth.roster).select(
        "year", "county_code", "category", "active_households", "active_persons",
    ).sort("year", "county_code", "category").write_csv(folder / "roster.csv")
    pl.concat(truth.flags).group_by("feed", "delivery_date", "rule_id").agg(
        pl.col("flags").sum()
    ).filter(pl.col("flags") > 0).sort("feed", "delivery_date", "rule_id").write_csv(
        folder / "flags.csv")


def generate(out: Path, persons: int, seed: int, years: tuple[int, ...] = DEFAULT_YEARS,
             defect_rate: float = 0.002,
             progress: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
             workers: int | None = None) -> Path:
    """Write every feed for ``persons`` registered persons into ``out``; returns ``out``.
    Counties are generated ``workers`` at a time (default: one per core); the files are
    the same for any number of workers."""
    if persons < 100:
        raise ValueError("--persons must be at least 100 (three counties of villages)")
    if not 0 <= defect_rate <= 0.05:
        raise ValueError("--defect-rate must be between 0 and 0.05 (5 % per defect kind)")
    plan = Plan(out=out, seed=seed, years=tuple(sorted(years)), defect_rate=defect_rate)
    geo = build_geography(persons, seed)
    truth = Truth()
    started = time.monotonic()
    workers = min(workers or os.cpu_count() or 1, len(geo.counties))
    shutil.rmtree(out / PARTS, ignore_errors=True)  # left by an interrupted run
    for done, county in enumerate(_counties(plan, geo, workers), start=1):
        truth.add(county)
        if done == len(geo.counties) or done % max(1, len(geo.counties) // 20) == 0:
            progress(f"generated {done}/{len(geo.counties)} counties "
                     f"({time.monotonic() - started:.0f} s)")
    join_province_files(out, out / PARTS)
    _province_files(plan, truth, geo)
    for folder in sorted(truth.complete):
        mark_complete(folder)
    _write_truth(out, truth, plan, geo)
    return out
