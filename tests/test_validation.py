"""Every expectation of every suite, broken by one fixture row: the row is quarantined
(contract suites: Q01 not null, Q02 format, Q03 code list) or flagged by the GX quality
suite run in DuckDB (R01, ranges, natural keys, R17), and nothing else is."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.feeds import FEEDS, TABLES, Kind
from pipelines.ingest.stage import ingest_feed
from pipelines.validation.run import SUITE_DOCUMENTS, _suite_document, validate
from pipelines.validation.suites import contract_suite, quality_suite
from sample_feeds.defects import NOT_IN_CODE_LIST, UNPARSABLE
from tests.deliveries import VALID_ROWS, deliver, table_file

DAY = "2020-12-31"


def _feed_of(table_name):
    return next(f for f in FEEDS.values() if any(t.name == table_name for t in f.tables))


def _file_name(table):
    return f"{table.file_prefix or table.name}_1.csv"


def stage(tmp_path: Path, table_name: str, rows: list[dict[str, str]]) -> duckdb.DuckDBPyConnection:
    table, feed = TABLES[table_name], _feed_of(table_name)
    deliver(tmp_path / "raw", feed.id, DAY, {_file_name(table): table_file(table, rows)})
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_feed(conn, tmp_path / "raw", feed, log=lambda _: None)
    return conn


def quarantine_cases():
    for table in TABLES.values():
        for column in table.columns:
            if column.mandatory:
                yield table.name, column.name, "", "Q01"
            if column.kind in UNPARSABLE:
                yield table.name, column.name, UNPARSABLE[column.kind], "Q02"
            if column.kind is Kind.CODE:
                yield table.name, column.name, NOT_IN_CODE_LIST, "Q03"


def test_contract_suites_cover_every_quarantine_case():
    expectations = sum(len(contract_suite(t).expectations) for t in TABLES.values())
    assert expectations == len(list(quarantine_cases())) + len(TABLES)  # + one column-set each


@pytest.mark.parametrize(("table_name", "column", "value", "rule"), list(quarantine_cases()))
def test_a_row_breaking_a_contract_expectation_is_quarantined_with_its_rule(
    tmp_path, table_name, column, value, rule
):
    broken = {**VALID_ROWS[table_name], column: value}
    with stage(tmp_path, table_name, [VALID_ROWS[table_name], broken]) as conn:
        quarantined = conn.execute(
            "select source_row, rule_id, message from raw.quarantine").fetchall()
        staged = conn.execute(f"select source_row from raw.{table_name}").fetchall()
    assert [(r, q) for r, q, _ in quarantined] == [(3, rule)]
    assert f"({column})" in quarantined[0][2]
    assert staged == [(2,)]


def _flagged(tmp_path, table_name, rows):
    with stage(tmp_path, table_name, rows):
        pass
    outcome = validate(tmp_path / "w.duckdb", tmp_path / "gx",
                       TABLES[table_name], "quality")  # fmt: skip
    return {(f["rule"], f["column"]): f["unexpected"] for f in outcome.failures}


def test_valid_rows_pass_every_suite(tmp_path):
    for table_name, row in VALID_ROWS.items():
        folder = tmp_path / table_name
        with stage(folder, table_name, [row]):
            pass
        for kind in ("contract", "quality"):
            outcome = validate(folder / "w.duckdb", folder / "gx",
                               TABLES[table_name], kind)  # fmt: skip
            assert outcome.success, outcome.summary()


def id_cases():
    for table in TABLES.values():
        for column in table.columns:
            if column.kind is Kind.ID_NUMBER:
                yield table.name, column.name


@pytest.mark.parametrize(("table_name", "column"), list(id_cases()))
def test_an_invalid_id_number_is_flagged_r01(tmp_path, table_name, column):
    broken = {**VALID_ROWS[table_name], column: "110105194912310021"}  # check character is X
    assert _flagged(tmp_path, table_name, [broken]) == {("R01", column): 1}


def range_cases():
    for table in TABLES.values():
        for column in table.columns:
            if column.minimum is not None:
                yield table.name, column.name, str(column.minimum - 1)
            if column.maximum is not None:
                yield table.name, column.name, str(column.maximum + 1)


@pytest.mark.parametrize(("table_name", "column", "value"), list(range_cases()))
def test_a_value_out_of_range_is_flagged(tmp_path, table_name, column, value):
    broken = {**VALID_ROWS[table_name], column: value}
    flagged = _flagged(tmp_path, table_name, [broken])
    assert flagged == {("range", column): 1}


def test_zero_total_cost_is_out_of_range_because_it_must_be_positive(tmp_path):
    broken = {**VALID_ROWS["medical_claims"], "total_cost": "0"}
    assert _flagged(tmp_path, "medical_claims", [broken]) == {("range", "total_cost"): 1}


@pytest.mark.parametrize("table_name", [t.name for t in TABLES.values() if t.natural_key])
def test_a_repeated_natural_key_is_flagged(tmp_path, table_name):
    row = VALID_ROWS[table_name]
    flagged = _flagged(tmp_path, table_name, [row, row])
    expected = {("natural_key", None): 1}  # one key, repeated
    if TABLES[table_name].exactly_one:
        expected[("R17", None)] = 1  # the same household now has two 户主
    assert flagged == expected


def test_a_household_without_a_head_is_flagged_r17(tmp_path):
    row = {**VALID_ROWS["registry"], "relation": "配偶"}
    assert _flagged(tmp_path, "registry", [row]) == {("R17", None): 1}


def test_quality_suites_hold_every_kind_of_check():
    kinds = {e.meta["rule"] for t in TABLES.values() for e in quality_suite(t).expectations}
    assert kinds == {"R01", "range", "natural_key", "R17"}


def test_a_suite_runs_again_only_when_what_it_sees_has_changed(tmp_path):
    """Nothing new: the recorded outcome stands and GX does not run (no new validation
    result is stored). A new delivery of the feed: the suite runs again."""
    stage(tmp_path, "standards", [VALID_ROWS["standards"]]).close()
    args = (tmp_path / "w.duckdb", tmp_path / "gx", TABLES["standards"])
    first = validate(*args, "quality")
    results = sorted((tmp_path / "gx").rglob("validations/**/*.json"))
    again = validate(*args, "quality")
    assert (first.reused, again.reused) == (False, True)
    assert (again.success, again.evaluated, again.failures) == (True, 6, [])
    assert again.summary() == (f"standards.quality: all 6 expectations met (unchanged since "
                               f"{first.validated_at}; result kept)")
    assert sorted((tmp_path / "gx").rglob("validations/**/*.json")) == results

    deliver(tmp_path / "raw", "standards", "2021-01-15", {"standards_1.csv": table_file(
        TABLES["standards"], [{**VALID_ROWS["standards"], "year": "2021"}])})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        ingest_feed(conn, tmp_path / "raw", FEEDS["standards"], log=lambda _: None)
    assert validate(*args, "quality").reused is False


def test_recorded_suite_documents_stand_for_the_suites_and_spare_importing_gx(tmp_path):
    """validate() reads each suite from the documents recorded beside the outcomes while
    the suites' sources are unchanged: the same document GX gives (so every recorded
    outcome keeps its state), and a night with nothing to validate never imports GX."""
    for table in TABLES.values():
        for kind, suite in (("contract", contract_suite(table)), ("quality", quality_suite(table))):
            assert _suite_document(tmp_path / "gx", table, kind) == json.loads(
                json.dumps(suite.to_json_dict()))
    recorded = json.loads((tmp_path / "gx" / SUITE_DOCUMENTS).read_text())
    assert len(recorded["suites"]) == 2 * len(TABLES)
    stage(tmp_path, "standards", [VALID_ROWS["standards"]]).close()
    args = [str(a) for a in (tmp_path / "w.duckdb", tmp_path / "gx")]
    probe = ("import sys; from pathlib import Path; from pipelines.feeds import TABLES; "
             "from pipelines.validation.run import validate; "
             "o = validate(*map(Path, sys.argv[1:3]), TABLES['standards'], 'quality'); "
             "print(o.reused, 'great_expectations' in sys.modules)")
    def run() -> str:  # noqa: E306
        return subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                              text=True, check=True).stdout.split()
    assert run() == ["False", "True"]  # the first night validates: GX runs
    assert run() == ["True", "False"]  # nothing new: the outcome stands, GX is not imported


def _registry_rows(valid: int, invalid: int, seq: int = 0) -> list[dict[str, str]]:
    """Households of one 户主 each: ``valid`` with a valid ID number, then ``invalid`` whose
    check character is wrong (R01)."""
    from tests.deliveries import make_id

    rows = []
    for n in range(valid + invalid):
        good = make_id("19800101", f"{seq + n:03d}")
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        rows.append({**VALID_ROWS["registry"], "household_id": f"H{seq + n}",
                     "id_number": good if n < valid else bad})
    return rows


def _ingest_registry(tmp_path: Path) -> None:
    """A night's ingest of the registry deliveries under ``tmp_path / 'raw'``."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        ingest_feed(conn, tmp_path / "raw", FEEDS["registry"], log=lambda _: None)


def _gx_results(tmp_path: Path) -> int:
    """How many validation results GX has stored: one per batch it ran."""
    return len(list((tmp_path / "gx").rglob("validations/**/*.json")))


def test_a_night_validates_only_its_new_and_redelivered_deliveries(tmp_path):
    """Night 1: 2020-06-30 (1 invalid ID of 2): validated, R01 1. Night 2: 2020-12-31 new
    (2 invalid of 3): only it runs, 06-30's outcome stands, R01 1 + 2 = 3. Night 3:
    2020-12-31 re-delivered corrected (1 invalid of 3) and 2021-06-30 rejected (no 证件号码
    column), in the same night: only 12-31 runs again, the rejected delivery is not
    validated: R01 1 + 1 = 2. One new GX result per suite each of these nights. Night 4,
    nothing new: nothing runs, the same 2."""
    table, raw = TABLES["registry"], tmp_path / "raw"
    args = (tmp_path / "w.duckdb", tmp_path / "gx", table)
    outcomes = tmp_path / "gx" / "outcomes" / "registry.quality"

    def r01(outcome) -> dict:
        return {(f["rule"], f["column"]): f["unexpected"] for f in outcome.failures}

    deliver(raw, "registry", "2020-06-30", {"registry_1.csv": table_file(table, _registry_rows(1, 1))})
    _ingest_registry(tmp_path)
    first = validate(*args, "quality")
    assert (first.validated, first.kept, r01(first)) == (["2020-06-30"], 0, {("R01", "id_number"): 1})
    assert validate(*args, "contract").success

    deliver(raw, "registry", "2020-12-31", {"registry_1.csv": table_file(table, _registry_rows(1, 2, 10))})
    _ingest_registry(tmp_path)
    second = validate(*args, "quality")
    assert (second.validated, second.kept, r01(second)) == (["2020-12-31"], 1, {("R01", "id_number"): 3})
    assert sorted(p.name for p in outcomes.iterdir()) == ["2020-12-31.json", "2020.json"]
    after_second = _gx_results(tmp_path)

    deliver(raw, "registry", "2020-12-31", {"registry_1.csv": table_file(table, _registry_rows(2, 1, 10))})
    without_id = [[h for h in row if h != "证件号码"] for row in [[c.header for c in table.columns]]]
    deliver(raw, "registry", "2021-06-30", {"registry_1.csv": without_id})
    _ingest_registry(tmp_path)
    third = validate(*args, "quality")
    assert (third.validated, third.kept, r01(third)) == (["2020-12-31"], 1, {("R01", "id_number"): 2})
    assert third.summary() == ("registry.quality: 1 of 6 expectations failed — R01 证件号码错误 "
                               "id_number: 2 rows (1 delivery validated now, 1 delivery unchanged "
                               "since their last validation)")
    assert _gx_results(tmp_path) == after_second + 1

    fourth = validate(*args, "quality")
    assert fourth.reused and fourth.kept == 2
    assert [f["unexpected"] for f in fourth.failures] == [2]
    assert _gx_results(tmp_path) == after_second + 1


def test_a_year_never_validated_is_one_batch_and_revalidated_together(tmp_path):
    """The first night, 2020-06-30 (1 invalid ID of 2) and 2020-12-31 (2 of 3) are one GX
    batch, the year 2020: one result, R01 3, one outcome covering both. When 12-31 is
    re-delivered corrected (1 invalid of 3), that outcome no longer holds, and the year is
    one batch again: both deliveries validated, R01 1 + 1 = 2."""
    table, raw = TABLES["registry"], tmp_path / "raw"
    args = (tmp_path / "w.duckdb", tmp_path / "gx", table)

    deliver(raw, "registry", "2020-06-30", {"registry_1.csv": table_file(table, _registry_rows(1, 1))})
    deliver(raw, "registry", "2020-12-31", {"registry_1.csv": table_file(table, _registry_rows(1, 2, 10))})
    _ingest_registry(tmp_path)
    first = validate(*args, "quality")
    assert (first.validated, first.kept) == (["2020-06-30", "2020-12-31"], 0)
    assert [f["unexpected"] for f in first.failures] == [3]
    assert _gx_results(tmp_path) == 1
    assert [p.name for p in (tmp_path / "gx" / "outcomes" / "registry.quality").iterdir()] == [
        "2020.json"]

    deliver(raw, "registry", "2020-12-31", {"registry_1.csv": table_file(table, _registry_rows(2, 1, 10))})
    _ingest_registry(tmp_path)
    second = validate(*args, "quality")
    assert (second.validated, second.kept) == (["2020-06-30", "2020-12-31"], 0)
    assert [f["unexpected"] for f in second.failures] == [2]
    assert _gx_results(tmp_path) == 2
