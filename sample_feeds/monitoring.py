"""What the monitoring marts must find, planted on purpose and written to the ground truth.

- A late county delivery: county 1's registry file of the second year's mid-year delivery
  (due 06-30; the first year's with a one-year province) arrives on 07-10, in a folder of
  its own, 10 days late (within the 15 days of grace). The year's snapshot is 12-31, so
  no count changes.
- A missing county delivery: county 2 sends no funds file on the last year's 06-30; the
  department's delivery that day holds every other county. Funds of the year are read
  from 12-31, so no count changes.
- An outlier village (from the second year on; a one-year province has no change to
  score): in county 2, the first village of the first township has every household
  identified before that year exit in it, all at once (数字脱贫 on paper): its 贫困发生率
  drops far faster than its sibling villages'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from sample_feeds.geography import County
from sample_feeds.people import CountyPeople

LATE_COUNTY, LATE_DAYS = 1, 10
MISSING_COUNTY = 2
OUTLIER_COUNTY = 2


@dataclass(frozen=True)
class Planted:
    """The planted cases of one province (its years decide when they happen)."""

    years: tuple[int, ...]

    @property
    def late_due(self) -> date:
        return date(self.years[min(1, len(self.years) - 1)], 6, 30)

    @property
    def missing_due(self) -> date:
        return date(self.years[-1], 6, 30)

    @property
    def outlier_year(self) -> int | None:
        return self.years[1] if len(self.years) > 1 else None

    def registry_day(self, county_index: int, due: date) -> date:
        """The day a county's registry file for a due date is delivered."""
        if county_index == LATE_COUNTY and due == self.late_due:
            return date.fromordinal(due.toordinal() + LATE_DAYS)
        return due

    def sends_funds(self, county_index: int, due: date) -> bool:
        return not (county_index == MISSING_COUNTY and due == self.missing_due)

    def plant_outlier(self, people: CountyPeople) -> CountyPeople:
        """Every household of the outlier village identified before the outlier year exits
        in that year, all at once, and none relapses: poor until then, gone on paper."""
        year = self.outlier_year
        if year is None or people.county.index != OUTLIER_COUNTY:
            return people
        households = people.households
        in_village = pl.col("village_code") == people.county.village_codes[0]
        return replace(people, households=households.with_columns(
            exit_year_true=pl.when(in_village & (pl.col("identified_year") < year))
            .then(year).otherwise(pl.col("exit_year_true"))
            .cast(households["exit_year_true"].dtype),
            relapse_year=pl.when(in_village).then(0).otherwise(pl.col("relapse_year"))
            .cast(households["relapse_year"].dtype),
        ))  # fmt: skip

    def truth(self, counties: Sequence[County]) -> pl.DataFrame:
        """What the marts must find (`_truth/monitoring.csv`): the late and the missing
        county delivery (feed, due date, county, the day it came) and the outlier village
        (year, village)."""
        late = self.registry_day(LATE_COUNTY, self.late_due)
        rows = [("late", "registry", self.late_due.isoformat(), None, counties[LATE_COUNTY].code,
                 late.isoformat()),
                ("missing", "funds", self.missing_due.isoformat(), None,
                 counties[MISSING_COUNTY].code, None)]
        if self.outlier_year is not None:
            rows.append(("outlier", "registry", None, self.outlier_year,
                         counties[OUTLIER_COUNTY].village_codes[0], None))
        return pl.DataFrame(rows, orient="row", schema={
            "case": pl.String, "feed": pl.String, "due_date": pl.String, "year": pl.Int64,
            "area_code": pl.String, "delivery_date": pl.String})  # fmt: skip
