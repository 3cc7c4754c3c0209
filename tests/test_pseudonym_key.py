"""The pseudonym key stays the same night after night, or the operator says it changed
(issue 22, item 7): the store keeps a fingerprint of each key, never the key. A whole
night with another key: tests/test_quality_history.py."""

from datetime import date

import duckdb
import pytest

from pipelines.core.pseudonym import (
    MissingPseudonymKey,
    PseudonymKeyChanged,
    key_fingerprint,
    pseudonym_key,
    record_key,
)
from pipelines.core.settings import Settings

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


def test_the_key_can_come_from_a_file_as_a_service_credential(tmp_path):
    """systemd's LoadCredential= hands the root-only key file to the service as a file of
    its own; POVMON_PSEUDONYM_KEY_FILE names it. The key is the file's text (a trailing
    newline, as `openssl rand -hex 32 >` writes it, is not part of it)."""
    key = tmp_path / "pseudonym-key"
    key.write_text("0123abcd\n")
    assert pseudonym_key(Settings.from_env({"POVMON_PSEUDONYM_KEY_FILE": str(key)}).key) == b"0123abcd"
    assert pseudonym_key(Settings.from_env({"POVMON_PSEUDONYM_KEY": "other",
                          "POVMON_PSEUDONYM_KEY_FILE": str(key)}).key) == b"other"
    with pytest.raises(MissingPseudonymKey, match=rf"POVMON_PSEUDONYM_KEY_FILE={tmp_path}/none "
                       r"cannot be read \(No such file or directory\)"):
        pseudonym_key(Settings.from_env({"POVMON_PSEUDONYM_KEY_FILE": str(tmp_path / "none")}).key)
    key.write_text("\n")
    with pytest.raises(MissingPseudonymKey, match="is empty: write the office's key into it"):
        pseudonym_key(Settings.from_env({"POVMON_PSEUDONYM_KEY_FILE": str(key)}).key)
