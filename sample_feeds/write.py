"""Writing generated frames as a department would deliver them.

Frames arrive with the contract's English column names and typed values; here they get
the Chinese headers of the contract, the county's date style and thousands separators,
and the county's encoding (UTF-8, UTF-8 with BOM, GB18030) or XLSX.
"""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime, time
from pathlib import Path

import polars as pl
from xlsxwriter import Workbook

from pipelines.feeds import Kind, Table
from sample_feeds.geography import County


def _with_thousands(expr: pl.Expr) -> pl.Expr:
    """1234567.5 -> '1,234,567.50' (grouping done on the reversed digits)."""
    cents = (expr.abs() * 100).round(0).cast(pl.Int64)
    whole = (cents // 100).cast(pl.String)
    grouped = whole.str.reverse().str.replace_all(r"(\d{3})", "$1,").str.strip_suffix(",")
    frac = (cents % 100).cast(pl.String).str.zfill(2)
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return sign + grouped.str.reverse() + "." + frac


def to_delivery_text(frame: pl.DataFrame, table: Table, county: County) -> pl.DataFrame:
    """Every contract column as text under its Chinese header, in the county's style.

    Columns already holding text are passed through untouched (that is how the defect
    injector plants malformed values); typed columns are formatted here.
    """
    out = []
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        expr = pl.col(col.name)
        dtype = frame.schema[col.name]
        if dtype == pl.Date:
            expr = expr.dt.strftime(county.date_style)
        elif col.kind is Kind.DECIMAL and dtype.is_float():
            expr = _with_thousands(expr) if county.thousands else expr.round(2).cast(pl.String)
        elif dtype != pl.String:
            expr = expr.cast(pl.String)
        out.append(expr.alias(col.header))
    return frame.select(out)


def write_delivery_file(frame: pl.DataFrame, path: Path, encoding: str, xlsx: bool,
                        day: date = date(2000, 1, 1)) -> Path:
    """Write one file of a delivery; returns the path written (suffix by format). A
    workbook says it was created on the delivery ``day`` (a CSV file records no date):
    xlsxwriter's default, the time of writing, made every regenerated workbook a changed
    file, reloaded as a corrected re-delivery, although the same seed gives the same rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if xlsx:
        path = path.with_suffix(".xlsx")
        with Workbook(path) as workbook:
            workbook.set_properties({"created": datetime.combine(day, time())})
            frame.write_excel(workbook, autofit=False, dtype_formats={pl.String: "@"})
        return path
    path = path.with_suffix(".csv")
    buffer = io.StringIO()
    frame.write_csv(buffer, null_value="")
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def join_province_files(out: Path, parts: Path) -> None:
    """Each province-wide file from its counties' parts (``parts/<its path>/<county>.csv``,
    written by counties in parallel), in county order, with the header once."""
    for folder in sorted({part.parent for part in parts.rglob("*.csv") if part.is_file()}):
        target = out / folder.relative_to(parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as whole:
            for i, part in enumerate(sorted(folder.glob("*.csv"))):
                text = part.read_bytes()
                whole.write(text if i == 0 else text.split(b"\n", 1)[1])
    shutil.rmtree(parts)


def mark_complete(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_SUCCESS").touch()
