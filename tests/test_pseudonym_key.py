"""The pseudonym key stays the same night after night, or the operator says it changed
(issue 22, item 7): the store keeps a fingerprint of each key, never the key."""

import shutil
from datetime import date

import duckdb
import pytest

from pipelines.pseudonym import PseudonymKeyChanged, key_fingerprint, record_key
from tests.runner import TEST_PSEUDONYM_KEY, povmon, query, run_pipeline
from tests.test_quality_history import NIGHT2, nights  # noqa: F401 (the fixture)

NIGHT = date(2026, 12, 1)


def test_the_first_key_is_recorded_the_same_key_passes_another_is_refused(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        assert record_key(conn, b"key-1", NIGHT, accept_new=False) is False
        assert record_key(conn, b"key-1", date(2026, 12, 2), accept_new=False) is False
        with pytest.raises(PseudonymKeyChanged, match=r"^POVMON_PSEUDONYM_KEY is not the key this "
                           r"warehouse was built with \(in use since 2026-12-01\)"):
            record_key(conn, b"key-2", date(2026, 12, 3), accept_new=False)
        assert record_key(conn, b"key-2", date(2026, 12, 3), accept_new=True) is True
        assert record_key(conn, b"key-2", date(2026, 12, 3), accept_new=True) is False  # re-run
        assert conn.execute("select fingerprint, since_run_date::varchar, restarts_flags "
                            "from raw.pseudonym_keys order by recorded_at").fetchall() == [
            (key_fingerprint(b"key-1"), "2026-12-01", False),
            (key_fingerprint(b"key-2"), "2026-12-03", True)]
    assert b"key-1" not in (tmp_path / "w.duckdb").read_bytes()


def test_a_night_with_another_key_is_refused_unless_the_operator_says_so(nights, tmp_path):  # noqa: F811
    raw, work = nights[0], tmp_path / "work"
    shutil.copytree(nights[1], work, ignore=shutil.ignore_patterns("dagster_home"))
    refused = povmon("run", "--raw", raw, "--marts", work / "marts", "--warehouse",
                     work / "warehouse" / "warehouse.duckdb", "--run-date", "2026-11-25",
                     key="another-key")  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: POVMON_PSEUDONYM_KEY is not the key this warehouse "
                                     "was built with (in use since 2026-11-22)")
    assert query(work / "marts", "select max(run_date)::varchar from marts.quality_summary") == [
        (NIGHT2,)]

    run_pipeline(raw, work, "--run-date", "2026-11-25", "--new-pseudonym-key", key="another-key")
    assert query(work / "marts", "select run_date::varchar, bool_and(flag_continuity_restarted) "
                 "from marts.quality_summary group by 1 order by 1") == [
        ("2026-11-22", False), ("2026-11-23", False), ("2026-11-25", True)]
    (new, resolved), = query(work / "marts", "select sum(new_flags), sum(resolved_flags) "
                             "from marts.quality_summary where run_date = '2026-11-25'")
    # nothing else changed: each person-keyed flag reads as resolved and comes back as new
    assert new == resolved == 20
    report = (work / "marts" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "自本夜起使用新的人员代码密钥" in report
    assert TEST_PSEUDONYM_KEY not in report
