"""Every CSV and workbook povmon writes for people to open in Excel or WPS.

Text from a delivery is data, never a formula. A spreadsheet evaluates a CSV cell that
starts with ``=``, ``+``, ``-`` or ``@`` (and one after a tab or carriage return), so a
name such as ``=HYPERLINK("http://…", "点击")`` would send the row's ID number out when a
steward opens the worklist. In a CSV such a text cell gets a leading ``'`` (OWASP's CSV
injection advice), which a spreadsheet shows and never evaluates; numbers are not text
and stay numbers. A workbook's text is written as string cells, which no spreadsheet
evaluates, so it keeps its text as delivered.

Excel, WPS and LibreOffice read a CSV cell of digits as a number: an 18-digit ID number
shows as 5.10101E+17 and is saved back with its last three digits zeros, a 12-digit area
code as 4.30624E+11, a leading zero is lost. In a CSV a text cell of digits begins with a
tab, which a spreadsheet shows as nothing and which keeps the cell text (a workbook's
string cells are text already). A spreadsheet's column widths come from the header and
the values, a Chinese character counting twice; every table's header row has a filter.

A sheet holds at most 1,048,576 rows with its header; a longer table continues on further
sheets, and a first sheet 说明 says so (the CSV keeps the whole table).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import rustpy_xlsxwriter

FORMULA_START = r"^[=+\-@\t\r]"
DIGITS = r"^[0-9]+$"
WIDTH_LIMITS = (6, 60)  # characters: the narrowest and widest column
SHEET_DATA_ROWS = 1_048_575  # Excel's 1,048,576 rows of a sheet, less the header row
NOTE_SHEET = "说明"


def _prefixed(frame: pl.DataFrame, pattern: str, prefix: str) -> pl.DataFrame:
    """``frame`` with ``prefix`` before every text cell matching ``pattern``."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern))
        .then(pl.lit(prefix) + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    )  # fmt: skip


def neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a leading ``'`` on every text cell a spreadsheet would evaluate."""
    return _prefixed(frame, FORMULA_START, "'")


def digits_kept_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a leading tab on every text cell of digits alone (ID numbers, codes)."""
    return _prefixed(frame, DIGITS, "\t")


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (so Excel shows the Chinese), formulas neutralised, digits kept text."""
    digits_kept_as_text(neutralised(frame)).write_csv(path, include_bom=True)


def column_widths(frame: pl.DataFrame) -> dict[str, float]:
    """Each column's width in characters, to fit its header and its widest value; a
    Chinese character (three bytes in UTF-8, one in ASCII) is two characters wide."""
    header = pl.DataFrame([frame.columns], schema=frame.columns, orient="row")
    text = pl.concat([header, frame.select(pl.all().cast(pl.String))])
    widest = text.select(((pl.all().str.len_bytes() + pl.all().str.len_chars()) / 2).max())
    low, high = WIDTH_LIMITS
    return {name: min(high, max(low, widest[name][0]) + 2) for name in frame.columns}


def _parts(name: str, frame: pl.DataFrame, rows: int) -> list[tuple[str, pl.DataFrame]]:
    """A table as sheets of at most ``rows`` rows: 问题清单, 问题清单（2）, …"""
    count = max(1, -(-frame.height // rows))
    return [(name if part == 0 else f"{name}（{part + 1}）", frame.slice(part * rows, rows))
            for part in range(count)]


def split_note(sheets: list[tuple[str, pl.DataFrame]], rows: int) -> str | None:
    """What the 说明 sheet says of the tables that do not fit one sheet; None when all fit."""
    long = [(name, frame.height) for name, frame in sheets if frame.height > rows]
    if not long:
        return None
    return "；".join(
        f"“{name}”共 {height:,} 行，超过一个工作表可容纳的 {rows:,} 行，分为 {-(-height // rows)} 个"
        f"工作表（“{name}”“{name}（2）”…），按顺序接续；同名 CSV 文件为完整清单"
        for name, height in long)


def write_workbook(sheets: list[tuple[str, pl.DataFrame]], path: Path,
                   sheet_rows: int = SHEET_DATA_ROWS) -> None:
    """The tables as the sheets of one workbook, a header row each, frozen, bold and with
    a filter, columns as wide as their text; a table longer than ``sheet_rows`` continues
    on further sheets, after a 说明 sheet that says so."""
    note = split_note(sheets, sheet_rows)
    written, widths = [], {}
    for name, frame in sheets:
        table_widths = column_widths(frame)
        for part in _parts(name, frame, sheet_rows):
            written.append(part)
            widths[part[0]] = table_widths
    if note:
        written.insert(0, (NOTE_SHEET, pl.DataFrame({NOTE_SHEET: [note]})))
        widths[NOTE_SHEET] = column_widths(written[0][1])
    rustpy_xlsxwriter.write_worksheets(
        written, str(path), freeze_panes={"general": {"row": 1, "col": 0}},
        bold_headers=True, datetime_format="yyyy-mm-dd", column_widths=widths,
        autofilter={sheet: sheet != NOTE_SHEET for sheet in widths},
    )  # fmt: skip
