"""The build state: every stamp a step keeps to skip work already done is listed in one
place, documented, and forgotten by `povmon reset-state` (all parts, or those named)."""

from pathlib import Path

import duckdb
import pytest

from pipelines.core.settings import REPO_ROOT, Settings
from pipelines.core.state import PARTS, read_stamp, reset_state, write_stamp
from tests.runner import povmon


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"POVMON_WAREHOUSE": str(tmp_path / "w" / "warehouse.duckdb"),
                              "POVMON_MARTS_DIR": str(tmp_path / "marts")})


@pytest.fixture
def stamped(settings) -> Settings:
    """A store and folders holding one stamp of every part."""
    settings.warehouse_dir.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.deliveries (feed varchar, delivery_date date, "
                     "fingerprint varchar, status varchar)")
        conn.execute("insert into raw.deliveries values ('dibao', '2020-12-31', 'f1', 'loaded'), "
                     "('funds', '2020-06-30', 'f2', 'rejected')")
        conn.execute("create table raw.file_digests (path varchar, digest varchar)")
        conn.execute("insert into raw.file_digests values ('a.csv', 'd')")
        conn.execute("create table raw.warehouse_builds (run_date date, inputs_digest varchar)")
        conn.execute("insert into raw.warehouse_builds values ('2026-12-01', 'x')")
    write_stamp(settings.gx_root / "outcomes" / "registry.quality" / "2020.json", {"states": {}})
    write_stamp(settings.gx_root / "suites.json", {"sources": "s"})
    write_stamp(settings.spark_dir / "staged" / "registry" / "_exported.json", {"2020": "f"})
    write_stamp(settings.marts_dir / "docs" / ".manifest.json", {"manifest": "m"})
    write_stamp(settings.worklists_dir / ".written.json", {"night": "2026-12-01"})
    write_stamp(settings.worklists_dir / ".visits-written.json", {"night": "2026-12-01"})
    return settings


def test_reset_forgets_every_part_and_keeps_the_data(stamped):
    assert reset_state(stamped) == {"ingest": 2, "validation": 2, "warehouse": 1, "spark": 1,
                                    "docs": 1, "worklists": 1, "visit_lists": 1}
    with duckdb.connect(str(stamped.warehouse_path), read_only=True) as conn:
        assert conn.execute("select feed, fingerprint, status from raw.deliveries order by 1"
                            ).fetchall() == [("dibao", None, "loaded"), ("funds", None, "rejected")]
        assert conn.execute("select count(*) from raw.file_digests").fetchone() == (0,)
        assert conn.execute("select count(*) from raw.warehouse_builds").fetchone() == (0,)
    assert not (stamped.gx_root / "outcomes").exists()
    assert read_stamp(stamped.marts_dir / "docs" / ".manifest.json") is None
    assert reset_state(stamped) == dict.fromkeys([p.name for p in PARTS], 0)


def test_reset_of_named_parts_only(stamped):
    assert reset_state(stamped, ["docs", "worklists"]) == {"docs": 1, "worklists": 1}
    assert read_stamp(stamped.gx_root / "suites.json") == {"sources": "s"}
    with pytest.raises(ValueError, match="no state part gx: the parts are ingest, validation, "
                       "warehouse, spark, docs, worklists"):
        reset_state(stamped, ["gx"])


def test_a_store_not_built_yet_has_nothing_to_forget(settings):
    assert set(reset_state(settings).values()) == {0}


def test_a_stamp_is_written_whole_and_an_unreadable_one_reads_as_none(tmp_path):
    path = tmp_path / "a" / "stamp.json"
    write_stamp(path, {"night": "2026-12-01", "digest": "d"})
    assert read_stamp(path) == {"digest": "d", "night": "2026-12-01"}
    assert [p.name for p in path.parent.iterdir()] == ["stamp.json"]
    path.write_text("{half")
    assert read_stamp(path) is None


def test_the_operations_docs_list_every_part_and_every_setting():
    text = (REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for part in PARTS:
        assert f"| `{part.name}` | {part.kept_in} | {part.keys_on} | {part.saves} |" in text
    from pipelines.core.settings import VARIABLES

    for name, (default, meaning) in VARIABLES.items():
        assert f"| `{name}` | {default} | {meaning} |" in text


def test_povmon_reset_state_names_what_the_next_run_redoes(stamped):
    result = povmon("reset-state", "validation", "--warehouse", stamped.warehouse_path,
                    "--marts", stamped.marts_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("validation      2 forgotten; the next run validates every "
                             "delivery again\n")
    assert not Path(stamped.gx_root / "suites.json").exists()
