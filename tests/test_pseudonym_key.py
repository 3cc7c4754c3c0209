"""The pseudonym key stays the same night after night, or the operator says it changed
(issue 22, item 7): the store keeps a fingerprint of each key, never the key. A whole
night with another key: tests/test_quality_history.py."""

from datetime import date

import duckdb
import pytest

from pipelines.pseudonym import PseudonymKeyChanged, key_fingerprint, record_key

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
