"""person_key: the pseudonym that stands for an ID number in everything statisticians get.

person_key = the first 16 hex characters of HMAC-SHA256(key, id_number), the key taken
from POVMON_PSEUDONYM_KEY, or read from the file POVMON_PSEUDONYM_KEY_FILE names (a
service's credential: systemd's LoadCredential= hands it over from a root-only file, so the
key is in no environment and no shell history; deploy/). The same key gives the same
person_key night after night, so flags join across marts and nights; without the key
nobody can go back to the ID number. A run without the key refuses to build and publish,
except the demo (POVMON_DEMO=1, set by `povmon run --demo`), which uses a fixed
development key and says so.

A run with another key than the last one is refused too: every person_key would change, so
every person-keyed flag of the nights before would read as resolved and come back as new,
and no person_key published before would join. The restricted store keeps a fingerprint of
each key it was built with (an HMAC of a fixed text under the key, never the key), in
``raw.pseudonym_keys``; the operator who changed the key on purpose says so once
(`povmon run --new-pseudonym-key`), and that night is recorded as the one on which flag
continuity restarts (``quality_summary.flag_continuity_restarted``, and the report).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

KEY_VARIABLE = "POVMON_PSEUDONYM_KEY"
KEY_FILE_VARIABLE = "POVMON_PSEUDONYM_KEY_FILE"
DEMO_VARIABLE = "POVMON_DEMO"
# Public, in the source: person_keys made with it are NOT protected. Demo data only.
DEVELOPMENT_KEY = "povmon-development-key-for-sample-data-only"
PERSON_KEY_LENGTH = 16
# The run tag by which an operator accepts a new key (`povmon run --new-pseudonym-key`).
NEW_KEY_TAG = "povmon/new_pseudonym_key"
KEYS_DDL = """
create schema if not exists raw;
create table if not exists raw.pseudonym_keys (
    fingerprint varchar, since_run_date date, restarts_flags boolean, recorded_at timestamp);
"""
FINGERPRINT_TEXT = b"povmon: the fingerprint of a pseudonym key"


class MissingPseudonymKey(RuntimeError):
    """Neither POVMON_PSEUDONYM_KEY nor demo mode: nothing may be published."""


@dataclass(frozen=True)
class KeySource:
    """Where this run's key comes from (the settings' POVMON_PSEUDONYM_KEY,
    POVMON_PSEUDONYM_KEY_FILE, POVMON_DEMO); the key itself is never printed."""

    text: str = field(default="", repr=False)
    file: Path | None = None
    demo: bool = False

    @property
    def given(self) -> bool:
        """Whether a key (not the development one) is configured, by value or by file."""
        return bool(self.text or self.file)


def pseudonym_key(source: KeySource) -> bytes:
    """The HMAC key of this run, or MissingPseudonymKey with what to do about it."""
    if source.text:
        return source.text.encode()
    if source.file is not None:
        return _key_from_file(source.file)
    if source.demo:
        return DEVELOPMENT_KEY.encode()
    raise MissingPseudonymKey(
        f"{KEY_VARIABLE} is not set, so person_key cannot be computed and nothing is "
        f"published. Set it to the office's secret (e.g. `export {KEY_VARIABLE}=$(openssl "
        "rand -hex 32)`, kept in the scheduler's secret store; the same key every night, or "
        "flags no longer match across nights), or run sample data with `povmon run --demo`."
    )


def key_configured(source: KeySource) -> bool:
    """Whether runs can compute person_key: a readable key, or demo mode."""
    try:
        pseudonym_key(source)
    except MissingPseudonymKey:
        return False
    return True


def _key_from_file(path: Path) -> bytes:
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise MissingPseudonymKey(
            f"{KEY_FILE_VARIABLE}={path} cannot be read ({error.strerror}): the key file must "
            "exist and be readable by the account that runs povmon "
            "(docs/running-every-night.md)") from None
    if not key:
        raise MissingPseudonymKey(f"{KEY_FILE_VARIABLE}={path} is empty: write the office's key "
                                  "into it (e.g. `openssl rand -hex 32`)")
    return key.encode()


def person_key(key: bytes, id_number: str | None) -> str | None:
    if id_number is None:
        return None
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()[:PERSON_KEY_LENGTH]


class PseudonymKeyChanged(RuntimeError):
    """The key differs from the one the warehouse was last built with."""


def key_fingerprint(key: bytes) -> str:
    """Tells keys apart without revealing them (an HMAC under the key of a fixed text)."""
    return hmac.new(key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:PERSON_KEY_LENGTH]


def _last_key(conn: duckdb.DuckDBPyConnection) -> tuple[str, date] | None:
    exists = conn.execute("select count(*) from duckdb_tables() where schema_name = 'raw' "
                          "and table_name = 'pseudonym_keys'").fetchone()[0]
    if not exists:
        return None
    return conn.execute("select fingerprint, since_run_date from raw.pseudonym_keys "
                        "order by recorded_at desc limit 1").fetchone()


def refuse_changed_key(conn: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """PseudonymKeyChanged when ``key`` is not the last key the warehouse recorded."""
    last = _last_key(conn)
    if last is None or last[0] == key_fingerprint(key):
        return
    raise PseudonymKeyChanged(
        f"{KEY_VARIABLE} is not the key this warehouse was built with (in use since "
        f"{last[1]}): with another key every person_key changes, so the flags of earlier nights "
        "would read as resolved and come back as new, and person_keys published before would "
        "no longer join. Restore the office's key; or, if it was changed on purpose, run once "
        "with `povmon run --new-pseudonym-key` (flag continuity then restarts that night, and "
        "the quality report and quality_summary say so).")


def record_key(conn: duckdb.DuckDBPyConnection, key: bytes, night: date, accept_new: bool) -> bool:
    """Check tonight's key against the last recorded and record it when it is new; whether
    flag continuity restarts tonight. The first key a warehouse sees is recorded as is."""
    conn.execute(KEYS_DDL)
    if not accept_new:
        refuse_changed_key(conn, key)
    last = _last_key(conn)
    fingerprint = key_fingerprint(key)
    if last is not None and last[0] == fingerprint:
        return False
    restarts = last is not None
    conn.execute("insert into raw.pseudonym_keys values (?, ?, ?, current_timestamp)",
                 [fingerprint, night, restarts])
    return restarts
