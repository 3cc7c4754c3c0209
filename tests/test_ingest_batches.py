"""The parallel, batched ingest: files read on two threads, staged several at a time, with
batches cut at BATCH_ROWS and at a change of table; a night holding a corrected
re-delivery, a rejected delivery and a new delivery of the same feed keeps exact counts."""

import duckdb
import pytest

from pipelines.ingest import stage
from pipelines.ingest.ordered import ordered_map
from tests.deliveries import REGISTRY_HEADER, deliver, person
from tests.test_ingest import VILLAGE, files, ingest

IDS = ["11010519491231002X", "110101199003074477", "440524188001010014", "440524188001010022",
       "440524188001010030", "440524188001010049"]  # fmt: skip


def rows(household: str, count: int, bad_row: int | None = None) -> list[list[str]]:
    """A registry file of ``count`` persons; ``bad_row`` (a data row, 1-based) has an
    unknown relation code and is quarantined (Q03)."""
    return [REGISTRY_HEADER] + [
        person(household, IDS[i], "户长" if i + 1 == bad_row else "户主", VILLAGE, "未脱贫")
        for i in range(count)
    ]


@pytest.fixture
def two_threads(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), config={"threads": "2"}) as conn:
        yield conn


def staged(conn):
    return conn.execute(
        "select delivery_date::varchar, source_file, source_row, household_id from raw.registry "
        "order by all"
    ).fetchall()


def test_ordered_map_keeps_the_order_of_the_items():
    assert list(ordered_map(lambda n: n * n, range(10), workers=2, ahead=3)) == [
        0, 1, 4, 9, 16, 25, 36, 49, 64, 81]  # fmt: skip


def test_a_night_with_a_redelivery_a_rejected_and_a_new_delivery_keeps_exact_counts(
        two_threads, tmp_path, monkeypatch):  # fmt: skip
    """Batches of at most 2 rows: first night, 2020-06-30 holds a.csv (3 rows, row 2 is
    bad), b.csv (1 row), c.csv (2 rows) -> 6 read = 5 accepted + 1 quarantined, three
    batches (a alone: 3 >= 2 rows; then b + c). Second night: 2020-06-30 is re-delivered
    with a.csv alone (2 rows, both good); 2020-12-31 has a good d.csv and an e.csv without
    证件号码 (rejected, nothing of it staged); 2021-06-30 is new with f.csv (1 row)."""
    monkeypatch.setattr(stage, "BATCH_ROWS", 2)
    conn, raw = two_threads, tmp_path / "raw"
    deliver(raw, "registry", "2020-06-30", {"a.csv": rows("A", 3, bad_row=2),
                                            "b.csv": rows("B", 1), "c.csv": rows("C", 2)})
    first = ingest(conn, raw, "registry")
    assert (first.rows_read, first.rows_accepted, first.rows_quarantined) == (6, 5, 1)
    assert files(conn, "registry") == [
        ("a.csv", 3, 2, 1, "UTF-8", "loaded", None),
        ("b.csv", 1, 1, 0, "UTF-8", "loaded", None),
        ("c.csv", 2, 2, 0, "UTF-8", "loaded", None),
    ]
    assert conn.execute("select source_file, source_row, rule_id from raw.quarantine").fetchall() \
        == [("a.csv", 3, "Q03")]

    for name in ("b.csv", "c.csv"):
        (raw / "registry" / "2020-06-30" / name).unlink()
    deliver(raw, "registry", "2020-06-30", {"a.csv": rows("A2", 2)})
    no_id = [[h for h in REGISTRY_HEADER if h != "证件号码"]]
    deliver(raw, "registry", "2020-12-31", {"d.csv": rows("D", 2), "e.csv": no_id})
    deliver(raw, "registry", "2021-06-30", {"f.csv": rows("F", 1)})
    second = ingest(conn, raw, "registry")

    assert second.loaded == ["2020-06-30", "2021-06-30"]
    assert len(second.rejected) == 1 and second.rejected[0].endswith(
        "e.csv: mandatory column '证件号码' (id_number) is missing; the whole delivery is "
        "rejected until the department re-delivers it")
    assert (second.rows_read, second.rows_accepted, second.rows_quarantined) == (3, 3, 0)
    assert staged(conn) == [
        ("2020-06-30", "a.csv", 2, "A2"), ("2020-06-30", "a.csv", 3, "A2"),
        ("2021-06-30", "f.csv", 2, "F"),
    ]  # fmt: skip
    assert conn.execute("select count(*) from raw.quarantine").fetchone() == (0,)
    assert [row[:6] for row in files(conn, "registry")] == [
        ("a.csv", 2, 2, 0, "UTF-8", "loaded"),
        ("d.csv", 0, 0, 0, "UTF-8", "rejected"),
        ("e.csv", 0, 0, 0, None, "rejected"),
        ("f.csv", 1, 1, 0, "UTF-8", "loaded"),
    ]
