"""Encoding detection for county CSV exports: UTF-8, UTF-8 with BOM, or GB18030/GBK.

The rule is deterministic, never a guess from statistics: a BOM means UTF-8-BOM; bytes
that decode as strict UTF-8 are UTF-8; otherwise bytes that decode as GB18030 (a
superset of GBK and GB2312) are GB18030. Bytes that stop in the middle of a character at
the very end are a file cut off in transfer, and are told apart from a wrong encoding
because the remedy differs (send it again, not re-export).

A file of which a few lines decode in neither (a rare character mis-exported, as county
exports do) is read in the encoding that decodes more of its lines, and those lines are
set aside like a ragged line (rule Q06) instead of losing the file: the line break byte
is never part of a multi-byte character in either encoding, so lines can be decoded one
by one. A file whose header, or more than half of whose lines, decode in neither is not
text in these encodings at all (a binary, another encoding), and cannot be read.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

BOM = codecs.BOM_UTF8
ENCODINGS = {"UTF-8": "utf-8", "UTF-8-BOM": "utf-8", "GB18030": "gb18030"}
# Stands for an undecodable line in the decoded text, so the CSV reader keeps its place:
# a noncharacter (U+FFFE) no export writes, then the line's index in `Decoded.undecodable`.
UNDECODABLE_MARK = "\ufffeQ06#"


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


@dataclass(frozen=True)
class UndecodableLine:
    """A physical line of the file that does not decode in the file's encoding (rule Q06)."""

    line: int  # 1-based
    text: str  # the line with every undecodable byte shown escaped (\xNN)


@dataclass(frozen=True)
class Decoded:
    data: bytes  # UTF-8 without BOM, an undecodable line replaced by UNDECODABLE_MARK + index
    encoding: str
    undecodable: list[UndecodableLine]


def _cut_at_end(error: UnicodeDecodeError, size: int) -> bool:
    return error.end == size and error.reason in ("unexpected end of data",
                                                  "incomplete multibyte sequence")


def _strict(data: bytes) -> str | UnicodeDecodeError:
    """The encoding all of ``data`` decodes in, else the GB18030 error."""
    if data.startswith(BOM):
        try:
            data[len(BOM):].decode("utf-8")
            return "UTF-8-BOM"
        except UnicodeDecodeError as error:
            if _cut_at_end(error, len(data) - len(BOM)):
                raise UndecodableFile(error.start + len(BOM), len(data), truncated=True) from error
            return error
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
        if _cut_at_end(error, len(data)):
            raise UndecodableFile(error.start, len(data), truncated=True) from error
        return error


def _bad_lines(lines: list[bytes], codec: str) -> list[int]:
    bad = []
    for index, line in enumerate(lines):
        try:
            line.decode(codec)
        except UnicodeDecodeError:
            bad.append(index)
    return bad


def decode(data: bytes) -> Decoded:
    """The file's text as UTF-8, its encoding, and the lines that decode in neither
    encoding; UndecodableFile when the file is not text in them at all."""
    strict = _strict(data)
    if isinstance(strict, str):
        body = data[len(BOM):] if strict == "UTF-8-BOM" else data
        return Decoded(body if strict != "GB18030" else data.decode("gb18030").encode("utf-8"),
                       strict, [])
    has_bom = data.startswith(BOM)
    lines = (data[len(BOM):] if has_bom else data).split(b"\n")
    candidates = ["UTF-8-BOM"] if has_bom else ["UTF-8", "GB18030"]
    encoding, bad = min(((e, _bad_lines(lines, ENCODINGS[e])) for e in candidates),
                        key=lambda found: len(found[1]))
    used = sum(1 for line in lines if line.strip())
    if 0 in bad or 2 * len(bad) > used:
        raise UndecodableFile(strict.start, len(data), truncated=False)
    codec, bad_set, undecodable = ENCODINGS[encoding], set(bad), []
    text = []
    for index, line in enumerate(lines):
        if index in bad_set:
            text.append(f"{UNDECODABLE_MARK}{len(undecodable)}")
            undecodable.append(UndecodableLine(
                index + 1, line.rstrip(b"\r").decode(codec, errors="backslashreplace")))
        else:
            text.append(line.decode(codec))
    return Decoded("\n".join(text).encode("utf-8"), encoding, undecodable)
