"""What the ingest tells people about a file, in two languages.

Logs and the English `message` column are for operators; the Chinese text goes to the
quality report, the worklists and `ingest_reconciliation.message_zh`, which county
stewards read. A Chinese text names the file relative to the deliveries folder
(`<feed>/<date>/<file>`), never a path of the server, and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    en: str
    zh: str


class FileRejected(ValueError):
    """The file cannot be used at all, so its delivery is rejected."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.en)
        self.notice = notice


REDELIVER_ZH = "请部门修正后重新报送整批数据"


def joined(notices: list[Notice]) -> Notice | None:
    """Several notices about one file as one, or None when there are none."""
    if not notices:
        return None
    return Notice("; ".join(n.en for n in notices), "；".join(n.zh for n in notices))
