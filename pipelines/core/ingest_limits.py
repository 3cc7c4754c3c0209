"""The bounds a delivery must keep to be loaded (settings POVMON_MIN_USABLE_SHARE and
POVMON_MAX_UNZIPPED_MIB; docs/operations.md, "Settings")."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True)
class IngestLimits:
    # A file of which a smaller share of rows is accepted is a broken export, not a partial
    # delivery: it rejects its delivery, so it never replaces a good snapshot.
    min_usable_share: float = 0.5
    # A workbook whose sheets unzip to more is refused before it is read (a county workbook
    # of 300,000 rows is about 450 MiB of XML).
    max_unzipped_bytes: int = 512 * MIB


DEFAULT_LIMITS = IngestLimits()
