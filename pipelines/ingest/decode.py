"""Encoding detection for county CSV exports: UTF-8, UTF-8 with BOM, or GB18030/GBK.

The rule is deterministic, never a guess from statistics: a BOM means UTF-8-BOM; bytes
that decode as strict UTF-8 are UTF-8; otherwise bytes that decode as GB18030 (a
superset of GBK and GB2312) are GB18030; anything else cannot be read. Bytes that stop in
the middle of a character at the very end are a file cut off in transfer, and are told
apart from a wrong encoding because the remedy differs (send it again, not re-export).
"""

from __future__ import annotations

import codecs

BOM = codecs.BOM_UTF8


class UndecodableFile(ValueError):
    """The bytes are neither UTF-8 nor GB18030; ``truncated`` when they end mid-character."""

    def __init__(self, position: int, size: int, truncated: bool) -> None:
        self.position, self.size, self.truncated = position, size, truncated
        if truncated:
            text = (f"the file looks truncated: it ends in the middle of a character (byte "
                    f"{position} of {size}); ask the department to send the whole file again")
        else:
            text = f"byte {position} is neither UTF-8 nor GB18030; re-export the file as UTF-8"
        super().__init__(text)


def _cut_at_end(error: UnicodeDecodeError, size: int) -> bool:
    return error.end == size and error.reason in ("unexpected end of data",
                                                  "incomplete multibyte sequence")


def detect_encoding(data: bytes) -> str:
    """'UTF-8-BOM', 'UTF-8' or 'GB18030' for the given file contents."""
    if data.startswith(BOM):
        return "UTF-8-BOM"
    try:
        data.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError as error:
        if _cut_at_end(error, len(data)):
            raise UndecodableFile(error.start, len(data), truncated=True) from error
    try:
        data.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError as error:
        raise UndecodableFile(error.start, len(data), _cut_at_end(error, len(data))) from error


def to_utf8(data: bytes, encoding: str) -> bytes:
    """The contents as UTF-8 without BOM, ready for the CSV reader."""
    if encoding == "UTF-8":
        return data
    if encoding == "UTF-8-BOM":
        return data[len(BOM):]
    return data.decode("gb18030").encode("utf-8")
