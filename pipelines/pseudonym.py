"""person_key: the pseudonym that stands for an ID number in everything statisticians get.

person_key = the first 16 hex characters of HMAC-SHA256(key, id_number), the key taken
from POVMON_PSEUDONYM_KEY. The same key gives the same person_key night after night, so
flags join across marts and nights; without the key nobody can go back to the ID number.
A run without the key refuses to build and publish, except the demo (POVMON_DEMO=1, set
by `povmon run --demo`), which uses a fixed development key and says so.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

KEY_VARIABLE = "POVMON_PSEUDONYM_KEY"
DEMO_VARIABLE = "POVMON_DEMO"
# Public, in the source: person_keys made with it are NOT protected. Demo data only.
DEVELOPMENT_KEY = "povmon-development-key-for-sample-data-only"
PERSON_KEY_LENGTH = 16


class MissingPseudonymKey(RuntimeError):
    """Neither POVMON_PSEUDONYM_KEY nor demo mode: nothing may be published."""


def is_demo(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(DEMO_VARIABLE) == "1"


def pseudonym_key(environ: Mapping[str, str] = os.environ) -> bytes:
    """The HMAC key of this run, or MissingPseudonymKey with what to do about it."""
    key = environ.get(KEY_VARIABLE, "")
    if key:
        return key.encode()
    if is_demo(environ):
        return DEVELOPMENT_KEY.encode()
    raise MissingPseudonymKey(
        f"{KEY_VARIABLE} is not set, so person_key cannot be computed and nothing is "
        f"published. Set it to the office's secret (e.g. `export {KEY_VARIABLE}=$(openssl "
        "rand -hex 32)`, kept in the scheduler's secret store; the same key every night, or "
        "flags no longer match across nights), or run sample data with `povmon run --demo`."
    )


def person_key(key: bytes, id_number: str | None) -> str | None:
    if id_number is None:
        return None
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()[:PERSON_KEY_LENGTH]
