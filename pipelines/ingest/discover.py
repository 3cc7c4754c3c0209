"""Finding deliveries: ``<raw>/<feed>/<YYYY-MM-DD>/`` folders, complete when `_SUCCESS` exists."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.feeds import FEEDS
from pipelines.ingest.notices import Notice

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


def unread_folders(raw_dir: Path) -> list[tuple[str, Notice]]:
    """What sits in the deliveries folder and is no feed's folder, so nothing reads it: a
    typo (``registy/``) or a department's new kind of file, named so that it is not lost
    without a word. Names starting with ``_`` or ``.`` are not deliveries (the Hadoop
    convention ``_SUCCESS`` follows; the generator's ``_truth/``). Each with its notice."""
    if not raw_dir.is_dir():
        return []
    feeds_en = ", ".join(FEEDS)
    feeds_zh = "、".join(f"{feed}（{FEEDS[feed].title.split('（')[0]}）" for feed in FEEDS)
    notices = []
    for entry in sorted(raw_dir.iterdir()):
        if entry.name.startswith(("_", ".")) or entry.name in FEEDS:
            continue
        name = f"{entry.name}/" if entry.is_dir() else entry.name
        close = difflib.get_close_matches(entry.name, FEEDS, n=1)
        guess_en = f" (did you mean {close[0]}/?)" if close else ""
        guess_zh = f"（是否应为 {close[0]}/？）" if close else ""
        notices.append((name, Notice(
            f"{name} in the deliveries folder is not a feed and is not read{guess_en}; the "
            f"feeds are {feeds_en}: rename it, or move its files into a feed's dated folder",
            f"数据目录中的 {name} 不是已知的数据源，未读取{guess_zh}。已知数据源：{feeds_zh}。"
            "如为文件夹名称错误，请更正后重新报送；如为新的数据，请与统计局联系。")))  # fmt: skip
    return notices


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
