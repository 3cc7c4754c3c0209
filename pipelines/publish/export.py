"""`povmon export`: a mart, or a query of the published marts, as a workbook or a CSV for
statisticians who work in Excel, WPS, R or Stata.

Headers are the columns' Chinese descriptions, cut to their name (``贫困发生率(%) = 100 ×
…`` heads its column as ``贫困发生率(%)``; the whole text is on the workbook's 字段说明
sheet), or the column names (``--headers names``: what R and Stata take as variable
names). A coded column gets its Chinese names beside it (``program`` → ``program_zh``,
from ``marts.value_labels``). Codes stay text: a workbook's text cells are strings, and the
CSV (UTF-8 with BOM) is written by the one spreadsheet writer, which keeps digits text and
formulas inert (pipelines/core/spreadsheets.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.duckdb_limits import DEFAULT_DUCKDB_LIMITS, DuckDBLimits, duckdb_config
from pipelines.core.labels import labelled_columns, labels
from pipelines.core.spreadsheets import write_csv, write_workbook

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


def _read(conn: duckdb.DuckDBPyConnection, mart: str | None,
          query: str | None) -> tuple[pl.DataFrame, list[str]]:
    """The rows asked for, and the marts they come from."""
    if mart is not None:
        marts = [t for (t,) in conn.execute("select table_name from duckdb_tables() "
                                            "where schema_name = 'marts' order by 1").fetchall()]
        if mart not in marts:
            raise ExportError(f"no mart {mart!r}; the marts are: {', '.join(marts)}")
        return conn.sql(f'select * from marts."{mart}"').pl(), [mart]
    try:
        relation = conn.sql(query)
    except duckdb.Error as error:
        raise ExportError(f"the query failed: {error}") from None
    if relation is None:
        raise ExportError("the query returns no rows to export: give a SELECT")
    return relation.pl(), sorted(conn.get_table_names(query))


def _named(column: str, descriptions: dict[str, str]) -> tuple[str, str]:
    """A column's Chinese header and its description; a label column's from its code's."""
    if column.endswith("_zh") and column not in descriptions:
        code = column.removesuffix("_zh")
        header = short_header(descriptions.get(code), code)
        return f"{header}（中文）", f"{header}的中文名称"
    return short_header(descriptions.get(column), column), descriptions.get(column, "")


def export(database: Path, out: Path, mart: str | None = None, query: str | None = None,
           headers: str = "zh", limits: DuckDBLimits = DEFAULT_DUCKDB_LIMITS) -> int:
    """Write ``mart`` (or the result of ``query``) to ``out`` (.xlsx or .csv); its rows."""
    if out.suffix.lower() not in FORMATS:
        raise ExportError(f"{out.name}: the file must end in .xlsx (Excel, WPS) or .csv "
                          "(UTF-8 with BOM)")
    with duckdb.connect(str(database), read_only=True, config=duckdb_config(database, limits)) as conn:
        frame, read = _read(conn, mart, query)
        descriptions = _descriptions(conn, read)
    frame = _with_labels(frame)
    named = {column: _named(column, descriptions) for column in frame.columns}
    header: dict[str, str] = {}
    for column, (chinese, _) in named.items():
        wanted = chinese if headers == "zh" else column
        header[column] = wanted if wanted not in header.values() else f"{wanted}（{column}）"
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        write_csv(frame.rename(header), out)
    else:
        fields = pl.DataFrame({"字段": list(header), "表头": list(header.values()),
                               "说明": [description for _, description in named.values()]})
        write_workbook([(DATA_SHEET, frame.rename(header)), (FIELDS_SHEET, fields)], out)
    return frame.height
