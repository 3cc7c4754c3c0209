"""Reading one delivered file into an all-text frame under the contract's English names.

Values stay text here (parsing happens in DuckDB, see parse.py) so that a malformed
value is never lost: the quarantine keeps what the department actually sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.feeds import Table
from pipelines.ingest.decode import UndecodableFile, detect_encoding, to_utf8

FIRST_DATA_ROW = 2  # row 1 is the header, in CSV lines and spreadsheet rows alike


class FileRejected(ValueError):
    """The file cannot be used at all; the message names the file, column and remedy."""


@dataclass
class ReadFile:
    frame: pl.DataFrame  # source_row + one String column per contract column
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _read_raw(path: Path, formats: tuple[str, ...]) -> tuple[pl.DataFrame, str]:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise FileRejected(
            f"{path.name}: .{suffix} files are not accepted for this feed "
            f"(accepted: {', '.join(formats)}); deliver it as CSV"
        )
    if suffix == "xlsx":
        try:
            frame = pl.read_excel(path, sheet_id=1, engine="calamine", infer_schema_length=0)
        except Exception as error:  # calamine raises several types for broken workbooks
            raise FileRejected(f"{path.name}: not a readable XLSX workbook ({error})") from error
        return frame, "XLSX"
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data)
    except UndecodableFile as error:
        raise FileRejected(f"{path.name}: {error}") from error
    try:
        frame = pl.read_csv(to_utf8(data, encoding), infer_schema=False, raise_if_empty=False)
    except pl.exceptions.ComputeError as error:
        raise FileRejected(f"{path.name}: not a readable CSV file ({error})") from error
    return frame, encoding


def read_file(path: Path, table: Table, formats: tuple[str, ...]) -> ReadFile:
    """Read, decode and map headers; raise FileRejected when a mandatory column is missing."""
    raw, encoding = _read_raw(path, formats)
    by_header = table.headers
    renames, warnings = {}, []
    for header in raw.columns:
        column = by_header.get(header.strip())
        if column is None:
            warnings.append(f"{path.name}: extra column '{header.strip()}' ignored")
        elif column.name in renames.values():
            raise FileRejected(f"{path.name}: column '{column.header}' appears twice")
        else:
            renames[header] = column.name
    for column in table.columns:
        if column.name in renames.values():
            continue
        if column.mandatory:
            raise FileRejected(
                f"{path.name}: mandatory column '{column.header}' ({column.name}) is missing; "
                "the whole delivery is rejected until the department re-delivers it"
            )
        warnings.append(f"{path.name}: optional column '{column.header}' missing, left empty")
    header_of = {name: header for header, name in renames.items()}
    frame = raw.select(
        pl.int_range(FIRST_DATA_ROW, pl.len() + FIRST_DATA_ROW, dtype=pl.Int64).alias("source_row"),
        *[
            (pl.col(header_of[c.name]) if c.name in header_of else pl.lit(None))
            .cast(pl.String)
            .alias(c.name)
            for c in table.columns
        ],
    )
    return ReadFile(frame=frame, encoding=encoding, warnings=warnings)
