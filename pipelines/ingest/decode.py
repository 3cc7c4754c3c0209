"""Encoding detection for county CSV exports: UTF-8, UTF-8 with BOM, or GB18030/GBK.

The rule is deterministic, never a guess from statistics: a BOM means UTF-8-BOM; bytes
that decode as strict UTF-8 are UTF-8; otherwise bytes that decode as GB18030 (a
superset of GBK and GB2312) are GB18030; anything else cannot be read.
"""

from __future__ import annotations

import codecs

BOM = codecs.BOM_UTF8


class UndecodableFile(ValueError):
    """The bytes are neither UTF-8 nor GB18030."""


def detect_encoding(data: bytes) -> str:
    """'UTF-8-BOM', 'UTF-8' or 'GB18030' for the given file contents."""
    if data.startswith(BOM):
        return "UTF-8-BOM"
    try:
        data.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError as error:
        raise UndecodableFile(
            f"byte {error.start} is neither UTF-8 nor GB18030; re-export the file as UTF-8"
        ) from error


def to_utf8(data: bytes, encoding: str) -> bytes:
    """The contents as UTF-8 without BOM, ready for the CSV reader."""
    if encoding == "UTF-8":
        return data
    if encoding == "UTF-8-BOM":
        return data[len(BOM):]
    return data.decode("gb18030").encode("utf-8")
