"""Finding deliveries: ``<raw>/<feed>/<YYYY-MM-DD>/`` folders, complete when `_SUCCESS` exists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SUCCESS_MARKER = "_SUCCESS"
DATA_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Delivery:
    feed: str
    day: date
    folder: Path
    complete: bool

    @property
    def name(self) -> str:
        """The folder relative to the deliveries folder, as messages for people name it."""
        return f"{self.feed}/{self.day.isoformat()}"

    def name_of(self, path: Path) -> str:
        return f"{self.name}/{path.name}"

    @property
    def files(self) -> list[Path]:
        """The delivery's data files, in name order (other files are not part of it); a
        link of a data file's name is one, wherever it points (ingest/refusals.py)."""
        return sorted(
            p for p in self.folder.iterdir()
            if (p.is_file() or p.is_symlink()) and p.suffix.lower() in DATA_SUFFIXES
            and not p.name.startswith(".")
        )  # fmt: skip


def discover(raw_dir: Path, feed: str) -> tuple[list[Delivery], list[str]]:
    """Every dated delivery folder of a feed, oldest first, and warnings about other entries."""
    feed_dir = raw_dir / feed
    if not feed_dir.is_dir():
        return [], []
    deliveries, warnings = [], []
    for folder in sorted(feed_dir.iterdir()):
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            warnings.append(f"{folder}: not a YYYY-MM-DD delivery folder, ignored")
            continue
        if folder.is_dir():
            complete = (folder / SUCCESS_MARKER).exists()
            deliveries.append(Delivery(feed, day, folder, complete))
    return deliveries, warnings


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(file_digests: dict[str, str]) -> str:
    """One digest for a delivery: names and contents of all its files, so that the same
    bytes re-delivered give the same fingerprint and any change gives another."""
    digest = hashlib.sha256()
    for name in sorted(file_digests):
        digest.update(f"{name}\0{file_digests[name]}\n".encode())
    return digest.hexdigest()
