"""The registry chain (snapshot rows, persons, households, program evidence, person programs,
household deprivations, the MPI counts by cutoff) and the quality rules over the yearly
snapshots are rebuilt only for the years whose inputs changed.

Areas: province 51 > city 5101 > county 510101 > township 丙镇 > village 一村 (100 rural
residents in 2019 and in 2020). Standards 2019 and 2020: poverty line 4000, threshold 3.00.
Every registered person has an income of 3000: below the line.

Night 1: registry 2019-12-31 (A 户主 未脱贫, C 户主 未脱贫), dibao 2019-12-31 (A) and
registry 2020-12-31 (A, B 配偶, both 未脱贫; C 已脱贫 2020). Both years built: 2019 poor 2
(2.00 %), 2020 poor 2 (2.00 %).

Night 2, in one night: 2020-12-31 re-delivered corrected (D 户主 未脱贫 added) and a registry
delivery 2021-06-30 without its 证件号码 column (rejected). Only 2020 is rebuilt (its rows
in all seven models and in the rules' outcomes say built_on 2021-01-06, 2019's still
2021-01-05): 2020 poor 3 (3.00 %), R03 checked 4 registry rows of 2020, 2019 as it was; no
year 2021.

Night 3: the standards re-delivered with a 2019 poverty line of 2000: 2019 is rebuilt, its
2 persons are no longer below the line (income_poverty_gap); 2020's lines did not change,
it stands, its 4 persons still below. A population delivery with the same areas changes
nothing either.

Night 4: the population re-delivered with a second village 二村: the area tree every year's
village codes are placed in changed, so both years are rebuilt. In the same night the 2019
registry delivery is re-delivered without its 证件号码 column: rejected, it clears the
earlier version, so 2019 has no registry snapshot any more, only dibao's (A 在保). 2019
keeps no person (its two rows of night 3 are gone, not left standing), only A's dibao
evidence, rebuilt that night, and R01's check of A's dibao record.
"""

import duckdb
import pytest

from pipelines.feeds import TABLES
from tests.deliveries import (
    POPULATION_HEADER,
    REGISTRY_HEADER,
    STANDARDS_HEADER,
    VALID_ROWS,
    deliver,
    person,
    table_file,
)
from tests.runner import query, run_pipeline

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

VILLAGE = "510101100201"
A, B, C, D = ("11010519491231002X", "440524188001010014", "110101199003074477",
              "510101198001010011")  # fmt: skip


def _standards(raw, line_2019: str) -> None:
    deliver(raw, "standards", "2020-01-15", {"s.csv": [
        STANDARDS_HEADER,
        ["510000000000", "2019", line_2019, "4600", "3.00", ""],
        ["510000000000", "2020", "4000", "4600", "3.00", ""],
    ]})  # fmt: skip


def _population(raw, day: str, villages: dict[str, str]) -> None:
    deliver(raw, "population", day, {"p.csv": [
        POPULATION_HEADER,
        *[row for year in ("2019", "2020") for row in (
            ["510000000000", "示范省", "", "省", year, ""],
            ["510100000000", "甲市", "510000000000", "市", year, ""],
            ["510101000000", "乙县", "510100000000", "县", year, ""],
            ["510101100000", "丙镇", "510101000000", "乡", year, ""],
            *[[code, name, "510101100000", "村", year, "100"] for code, name in villages.items()],
        )],
    ]})  # fmt: skip


def _night(raw, work, night: str) -> None:
    run_pipeline(raw, work, "--run-date", night)


YEAR_MODELS = ["int_registry_snapshot_rows", "int_registry_persons", "int_registry_households",
               "int_program_evidence", "int_person_programs", "int_household_deprivations",
               "int_mpi_by_cutoff"]


def _built(work) -> dict[int, tuple[str, int]]:
    """Per year: the night(s) its rows of the seven year-incremental models were built on,
    and its rows in int_registry_persons."""
    union = " union all ".join(
        f"select year, built_on, {int(m == 'int_registry_persons')} as person from intermediate.{m}"
        for m in YEAR_MODELS)
    with duckdb.connect(str(work / "warehouse" / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute(f"select year, string_agg(distinct built_on::varchar, ','), "
                            f"sum(person)::int from ({union}) group by year order by year"
                            ).fetchall()  # fmt: skip
    return {year: (nights, persons) for year, nights, persons in rows}


def _rules_built(work) -> dict[int, tuple[str, int]]:
    """Per year: the night(s) its outcomes of the year-incremental quality rules (the tables
    of schema quality with a built_on column) were built on, and the registry rows R03
    checked."""
    path = work / "warehouse" / "warehouse.duckdb"
    with duckdb.connect(str(path), read_only=True) as conn:
        rules = [name for (name,) in conn.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'quality' and column_name = 'built_on'").fetchall()]
        union = " union all ".join(
            f"select year, built_on, case when rule_id = 'R03' then records else 0 end as r03 "
            f"from quality.{rule}" for rule in rules)
        rows = conn.execute(f"select year, string_agg(distinct built_on::varchar, ','), "
                            f"sum(r03)::int from ({union}) group by year order by year"
                            ).fetchall()  # fmt: skip
    assert len(rules) == 15, rules
    return {year: (nights, checked) for year, nights, checked in rows}


def _county(marts, mart: str, columns: str) -> list[tuple]:
    return query(marts, f"select year, {columns} from marts.{mart} "
                        "where area_code = '510101000000' order by year")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    raw, work = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("work")
    _population(raw, "2020-12-31", {VILLAGE: "一村"})
    _standards(raw, "4000")
    deliver(raw, "registry", "2019-12-31", {"r.csv": [
        REGISTRY_HEADER,
        person("H1", A, "户主", VILLAGE, "未脱贫"),
        person("H2", C, "户主", VILLAGE, "未脱贫"),
    ]})
    deliver(raw, "dibao", "2019-12-31", {"d.csv": table_file(TABLES["dibao"], [
        {**VALID_ROWS["dibao"], "id_number": A, "head_id_number": A, "village_code": VILLAGE}])})
    registry_2020 = [
        REGISTRY_HEADER,
        person("H1", A, "户主", VILLAGE, "未脱贫"),
        person("H1", B, "配偶", VILLAGE, "未脱贫"),
        person("H2", C, "户主", VILLAGE, "已脱贫", "2020"),
    ]
    deliver(raw, "registry", "2020-12-31", {"r.csv": registry_2020})
    _night(raw, work, "2021-01-05")
    night_1 = (_built(work), _county(work / "marts", "poverty_incidence",
                                     "poor_persons, incidence_pct"), _rules_built(work))

    deliver(raw, "registry", "2020-12-31", {"r.csv": [
        *registry_2020, person("H3", D, "户主", VILLAGE, "未脱贫")]})
    deliver(raw, "registry", "2021-06-30", {"r.csv": [
        [h for h in REGISTRY_HEADER if h != "证件号码"]]})
    _night(raw, work, "2021-01-06")
    night_2 = (_built(work), _county(work / "marts", "poverty_incidence",
                                     "poor_persons, incidence_pct"), _rules_built(work))

    _standards(raw, "2000")
    _population(raw, "2021-01-06", {VILLAGE: "一村"})
    _night(raw, work, "2021-01-07")
    night_3 = (_built(work), _county(work / "marts", "income_poverty_gap",
                                     "persons, persons_below_line"), _rules_built(work))

    _population(raw, "2021-01-07", {VILLAGE: "一村", "510101100202": "二村"})
    deliver(raw, "registry", "2019-12-31", {"r.csv": [
        [h for h in REGISTRY_HEADER if h != "证件号码"]]})
    _night(raw, work, "2021-01-08")
    return night_1, night_2, night_3, (_built(work), _rules_built(work))


def test_the_first_night_builds_every_year(nights):
    (built, incidence, rules), _, _, _ = nights
    assert built == {2019: ("2021-01-05", 2), 2020: ("2021-01-05", 3)}
    assert rules == {2019: ("2021-01-05", 2), 2020: ("2021-01-05", 3)}
    assert [(year, poor, float(pct)) for year, poor, pct in incidence] == [
        (2019, 2, 2.0), (2020, 2, 2.0)]


def test_a_redelivery_rebuilds_its_year_only_and_a_rejected_delivery_nothing(nights):
    _, (built, incidence, rules), _, _ = nights
    assert built == {2019: ("2021-01-05", 2), 2020: ("2021-01-06", 4)}
    assert rules == {2019: ("2021-01-05", 2), 2020: ("2021-01-06", 4)}
    assert [(year, poor, float(pct)) for year, poor, pct in incidence] == [
        (2019, 2, 2.0), (2020, 3, 3.0)]


def test_changed_lines_of_a_year_rebuild_that_year_and_the_same_areas_nothing(nights):
    _, _, (built, gap, rules), _ = nights
    assert built == {2019: ("2021-01-07", 2), 2020: ("2021-01-06", 4)}
    assert rules == {2019: ("2021-01-07", 2), 2020: ("2021-01-06", 4)}
    assert gap == [(2019, 2, 0), (2020, 4, 4)]


def test_a_changed_area_tree_rebuilds_every_year_and_a_year_without_registry_loses_its_rows(
        nights):
    _, _, _, (built, rules) = nights
    assert built == {2019: ("2021-01-08", 0), 2020: ("2021-01-08", 4)}
    assert rules == {2019: ("2021-01-08", 0), 2020: ("2021-01-08", 4)}
