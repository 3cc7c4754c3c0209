"""`povmon export`: a mart, or a query of the published marts, as a workbook or a CSV for
statisticians who work in Excel, WPS, R or Stata.

Headers are the columns' Chinese descriptions, cut to their name (``贫困发生率(%) = 100 ×
…`` heads its column as ``贫困发生率(%)``; the whole text is on the workbook's 字段说明
sheet), or the column names (``--headers names``: what R and Stata take as variable
names). A coded column gets its Chinese names beside it (``program`` → ``program_zh``,
from ``marts.value_labels``). Codes stay text: a workbook's text cells are strings, and the
CSV (UTF-8 with BOM) is written by the one spreadsheet writer, which keeps digits text and
formulas inert (pipelines/spreadsheets.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from pipelines.duckdb_limits import duckdb_config
from pipelines.labels import labelled_columns, labels
from pipelines.spreadsheets import write_csv, write_workbook

FORMATS = (".xlsx", ".csv")
HEADER_END = re.compile(r" = |：|:|（|，|；")  # where a description's name ends
DATA_SHEET, FIELDS_SHEET = "数据", "字段说明"


class ExportError(ValueError):
    """What was asked cannot be exported; the message says what to do instead."""


def short_header(description: str | None, column: str) -> str:
    """The name a description starts with: ``年度（…）`` → 年度; the column when none."""
    if not description:
        return column
    return HEADER_END.split(description, maxsplit=1)[0].strip() or column


def _descriptions(conn: duckdb.DuckDBPyConnection, marts: list[str]) -> dict[str, str]:
    """Column -> description, from the first of ``marts`` with a column of that name."""
    rows = conn.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and comment is not null and list_contains(?, table_name) "
        "order by column_index", [marts]).fetchall()
    descriptions: dict[str, str] = {}
    for _, column, comment in sorted(rows, key=lambda row: marts.index(row[0])):
        descriptions.setdefault(column, comment)
    return descriptions


def _with_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """Each coded text column followed by its Chinese names (``<column>_zh``)."""
    columns = []
    for name, dtype in frame.schema.items():
        columns.append(pl.col(name))
        if name in labelled_columns() and dtype == pl.String:
            columns.append(pl.col(name).replace_strict(labels(name), default=None,
                                                       return_dtype=pl.String).alias(f"{name}_zh"))
    return frame.select(columns)


def export(database: Path, out: Path, mart: str | None = None, query: str | None = None,
           headers: str = "zh") -> int:
    """Write ``mart`` (or the result of ``query``) to ``out`` (.xlsx or .csv); its rows."""
    if out.suffix.lower() not in FORMATS:
        raise ExportError(f"{out.name}: the file must end in .xlsx (Excel, WPS) or .csv "
                          "(UTF-8 with BOM)")
    with duckdb.connect(str(database), read_only=True, config=duckdb_config(database)) as conn:
        if mart is not None:
            marts = [t for (t,) in conn.execute("select table_name from duckdb_tables() "
                                                "where schema_name = 'marts' order by 1").fetchall()]
            if mart not in marts:
                raise ExportError(f"no mart {mart!r}; the marts are: {', '.join(marts)}")
            frame, read = conn.sql(f'select * from marts."{mart}"').pl(), [mart]
        else:
            try:
                frame, read = conn.sql(query).pl(), sorted(conn.get_table_names(query))
            except duckdb.Error as error:
                raise ExportError(f"the query failed: {error}") from None
        descriptions = _descriptions(conn, read)
    frame = _with_labels(frame)
    described = {name: descriptions.get(name) or (
        f"{short_header(descriptions.get(name[:-3]), name[:-3])}的中文名称"
        if name.endswith("_zh") else "") for name in frame.columns}  # fmt: skip
    if headers == "zh":
        named: dict[str, str] = {}
        for name in frame.columns:
            header = (f"{short_header(descriptions.get(name[:-3]), name[:-3])}（中文）"
                      if name.endswith("_zh") and name not in descriptions
                      else short_header(descriptions.get(name), name))
            named[name] = header if header not in named.values() else f"{header}（{name}）"
        table = frame.rename(named)
    else:
        named, table = {name: name for name in frame.columns}, frame
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        write_csv(table, out)
    else:
        fields = pl.DataFrame({"字段": list(named), "表头": list(named.values()),
                               "说明": [described[name] for name in named]})
        write_workbook([(DATA_SHEET, table), (FIELDS_SHEET, fields)], out)
    return frame.height
