"""Reading one delivered file into an all-text frame under the contract's English names.

Values stay text here (parsing happens in DuckDB, see parse.py) so that a malformed
value is never lost: the quarantine keeps what the department actually sent. A CSV line
with the wrong number of fields (rule Q04), or with bytes that do not decode in the file's
encoding (rule Q06, decode.py), is not a reason to drop the file: it is returned as a
malformed line with its line number and raw text, and every other row is read. Only a
file that cannot be used as a whole raises FileRejected; so does a workbook whose sheets
unzip to more than a bound, before it is read (a broken export or a "zip bomb" would
otherwise be inflated whole into memory).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import python_calamine

from pipelines.core.ingest_limits import DEFAULT_LIMITS, MIB
from pipelines.feeds import Table
from pipelines.ingest.decode import UNDECODABLE_MARK, UndecodableFile, UndecodableLine, decode
from pipelines.ingest.notices import REDELIVER_ZH, FileRejected, Notice

FIRST_DATA_ROW = 2  # row 1 is the header, in CSV lines and spreadsheet rows alike
UNDECODABLE_LINES_NAMED = 20  # in the file's notice; every one of them is in the quarantine


@dataclass(frozen=True)
class MalformedLine:
    """A CSV record whose number of fields differs from the header's (rule Q04), or a line
    that does not decode (rule Q06: ``fields`` 0, ``text`` with its bytes shown escaped)."""

    source_row: int  # the record's row number, counted as for every other row
    line: int  # the physical line it starts on (differs after quoted line breaks)
    fields: int
    expected: int
    text: str
    rule: str = "Q04"


@dataclass
class ReadFile:
    frame: pl.DataFrame  # source_row + one String column per contract column
    encoding: str
    notices: list[Notice] = field(default_factory=list)
    malformed: list[MalformedLine] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.malformed)


def _matches(headers: list[str], table: Table) -> bool:
    present = {str(h).strip() for h in headers}
    return all(c.header in present for c in table.columns if c.mandatory)


def _refuse_large_workbook(path: Path, name: str, max_unzipped_bytes: int) -> None:
    """FileRejected when the workbook's parts unzip to more than the bound, by the sizes its
    zip directory declares (what a reader inflates each part to at most)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileRejected(Notice(f"{path.name}: not a readable XLSX workbook ({error})",
                                  f"{name}：不是可读取的 XLSX 工作簿；{REDELIVER_ZH}")) from error
    if unzipped > max_unzipped_bytes:
        size, bound = f"{unzipped / MIB:,.0f} MiB", f"{max_unzipped_bytes / MIB:,.0f} MiB"
        raise FileRejected(Notice(
            f"{path.name}: the workbook unzips to {size}, more than the bound of {bound} "
            "(POVMON_MAX_UNZIPPED_MIB); refused before it is read. Usually a broken export; "
            "check it, or deliver the data in several files or as CSV",
            f"{name}：工作簿解压后为 {size}，超过上限 {bound}，未读取；多半是导出出错，"
            f"请检查导出结果，或拆分为多个文件、改为 CSV 格式；{REDELIVER_ZH}"))


def _read_xlsx(path: Path, name: str, table: Table,
               max_unzipped_bytes: int) -> tuple[pl.DataFrame, list[Notice]]:
    """The sheet whose header row holds the contract's mandatory columns: county exports
    often put a cover sheet (说明) first."""
    _refuse_large_workbook(path, name, max_unzipped_bytes)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = workbook.sheet_names
        headers = {s: (workbook.get_sheet_by_name(s).to_python(nrows=1) or [[]])[0] for s in sheets}
        matching = [s for s in sheets if _matches(headers[s], table)]
        if len(matching) != 1:
            listed = ", ".join(f"'{s}'" for s in sheets)
            listed_zh = "、".join(f"“{s}”" for s in sheets)
            if matching:
                raise FileRejected(Notice(
                    f"{path.name}: several sheets ({', '.join(matching)}) have this feed's header row; "
                    "deliver one sheet per workbook, or one file per sheet",
                    f"{name}：有多个工作表（{'、'.join(matching)}）带有本数据源的表头，无法确定读取哪一个；"
                    "请每个工作簿只保留一个数据表，或按工作表分成多个文件报送"))  # fmt: skip
            raise FileRejected(Notice(
                f"{path.name}: no sheet has this feed's header row (sheets: {listed}); the header "
                "must be in row 1 of the data sheet",
                f"{name}：没有哪个工作表的第1行是本数据源的表头（工作表：{listed_zh}）；"
                f"请把表头放在数据表的第1行，{REDELIVER_ZH}"))  # fmt: skip
        frame = pl.read_excel(path, sheet_name=matching[0], engine="calamine",
                              infer_schema_length=0)  # fmt: skip
    except FileRejected:
        raise
    except Exception as error:  # calamine raises several types for broken workbooks
        raise FileRejected(Notice(f"{path.name}: not a readable XLSX workbook ({error})",
                                  f"{name}：不是可读取的 XLSX 工作簿；{REDELIVER_ZH}")) from error
    notices = []
    if matching[0] != sheets[0]:
        notices.append(Notice(f"{path.name}: data read from sheet '{matching[0]}'",
                              f"{name}：数据取自工作表“{matching[0]}”"))
    return frame, notices


def _checked_records(text: str, undecodable: list[UndecodableLine],
                     ) -> tuple[pl.DataFrame, list[MalformedLine]]:
    """Read record by record, setting aside those with the wrong number of fields and the
    lines that stand for undecodable ones.

    The slow, exact path, taken only for files the fast reader cannot vouch for.
    """
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    good, malformed, row, previous_end = [], [], FIRST_DATA_ROW - 1, reader.line_num
    for record in reader:
        row += 1
        start, previous_end = previous_end + 1, reader.line_num
        if not record:  # a blank line: a row of empty values, as the fast reader has it
            record = [""] * len(header)
        if len(record) == len(header):
            good.append([row, *record])
            continue
        if len(record) == 1 and record[0].startswith(UNDECODABLE_MARK):
            line = undecodable[int(record[0].removeprefix(UNDECODABLE_MARK))]
            malformed.append(MalformedLine(row, line.line, 0, len(header), line.text, "Q06"))
            continue
        raw = "\n".join(lines[start - 1:previous_end]).rstrip("\r")
        malformed.append(MalformedLine(row, start, len(record), len(header), raw))
    seen: dict[str, int] = {}
    names = ["source_row"]
    for header_name in header:  # repeated headers named as the fast reader names them
        names.append(header_name if header_name not in seen
                     else f"{header_name}_duplicated_{seen[header_name] - 1}")
        seen[header_name] = seen.get(header_name, 0) + 1
    schema = {n: (pl.Int64 if n == "source_row" else pl.String) for n in names}
    return pl.DataFrame(good, schema=schema, orient="row"), malformed


def _every_line_has_the_header_fields(data: bytes) -> bool:
    """True when each line has as many fields as the header, counted without leaving
    Polars (commas outside quoted values); False when one does not, or when a quoted value
    spans lines and only a record-by-record read can tell."""
    try:  # each physical line as one value: no separator, no quoting
        lines = pl.read_csv(data, has_header=False, quote_char=None, separator="\x1f",
                            new_columns=["line"], infer_schema=False)["line"].fill_null("")
    except pl.exceptions.PolarsError:
        return False
    lines = lines.str.strip_suffix("\r")
    quoted = lines.str.contains('"', literal=True)
    if (lines.filter(quoted).str.count_matches('"', literal=True) % 2 != 0).any():
        return False
    unquoted = lines.zip_with(~quoted, lines.str.replace_all(r'"[^"]*"', ""))
    fields = unquoted.str.count_matches(",", literal=True) + 1
    return bool(((fields == fields[0]) | (lines == "")).all())


def _read_csv(data: bytes, path: Path, name: str, undecodable: list[UndecodableLine],
              ) -> tuple[pl.DataFrame, list[MalformedLine]]:
    """The fast reader, unless a record may have the wrong number of fields: it refuses
    too many, and pads too few with NULLs, which shows as a NULL in the last column, so a
    file with NULLs there has its fields counted before the fast read is trusted. A file
    with undecodable lines is read record by record."""
    frame = None
    try:
        if not undecodable:
            frame = pl.read_csv(data, infer_schema=False, raise_if_empty=False)
    except pl.exceptions.ComputeError:
        pass
    if frame is not None and (frame.width == 0 or frame[:, -1].null_count() == 0
                              or _every_line_has_the_header_fields(data)):
        return frame.with_row_index("source_row", FIRST_DATA_ROW).cast({"source_row": pl.Int64}), []
    try:
        return _checked_records(data.decode("utf-8"), undecodable)
    except csv.Error as error:
        raise FileRejected(Notice(f"{path.name}: not a readable CSV file ({error})",
                                  f"{name}：不是可读取的 CSV 文件（{error}）；{REDELIVER_ZH}")) from error


def _read_raw(path: Path, name: str, table: Table, formats: tuple[str, ...],
              max_unzipped_bytes: int) -> tuple[pl.DataFrame, str, list[MalformedLine], list[Notice]]:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise FileRejected(Notice(
            f"{path.name}: .{suffix} files are not accepted for this feed "
            f"(accepted: {', '.join(formats)}); deliver it as CSV",
            f"{name}：本数据源不接收 .{suffix} 文件（接收：{', '.join(formats)}）；请导出为 CSV 后重新报送"))
    if path.stat().st_size == 0:
        raise FileRejected(Notice(
            f"{path.name}: the file is empty (0 bytes), probably a failed export; ask the "
            "department to export it again and re-deliver the folder",
            f"{name}：文件为空（0 字节），多半是导出失败；请部门重新导出并重新报送整批数据"))
    if suffix == "xlsx":
        frame, notices = _read_xlsx(path, name, table, max_unzipped_bytes)
        return frame.with_row_index("source_row", FIRST_DATA_ROW).cast({"source_row": pl.Int64}), \
            "XLSX", [], notices
    try:
        decoded = decode(path.read_bytes())
    except UndecodableFile as error:
        zh = (f"文件似乎不完整：在一个汉字中间结束（第 {error.position} 字节，共 {error.size} 字节），"
              "请部门重新发送完整文件" if error.truncated else
              f"第 {error.position} 字节既不是 UTF-8 也不是 GB18030 编码；请导出为 UTF-8 后重新报送")
        raise FileRejected(Notice(f"{path.name}: {error}", f"{name}：{zh}")) from error
    frame, malformed = _read_csv(decoded.data, path, name, decoded.undecodable)
    return frame, decoded.encoding, malformed, []


def _header_notices(raw: pl.DataFrame, table: Table, path: Path, name: str,
                    ) -> tuple[dict[str, str], list[Notice]]:
    """Map the delivered headers to contract names; reject a file without a mandatory column."""
    by_header = table.headers
    renames, notices = {}, []
    for header in raw.columns:
        if header == "source_row":
            continue
        column = by_header.get(header.strip())
        if column is None:
            notices.append(Notice(f"{path.name}: extra column '{header.strip()}' ignored",
                                  f"{name}：多余的列“{header.strip()}”已忽略"))
        elif column.name in renames.values():
            raise FileRejected(Notice(f"{path.name}: column '{column.header}' appears twice",
                                      f"{name}：列“{column.header}”出现了两次；{REDELIVER_ZH}"))
        else:
            renames[header] = column.name
    for column in table.columns:
        if column.name in renames.values():
            continue
        if column.mandatory:
            raise FileRejected(Notice(
                f"{path.name}: mandatory column '{column.header}' ({column.name}) is missing; "
                "the whole delivery is rejected until the department re-delivers it",
                f"{name}：缺少必填列“{column.header}”，整批数据已拒收；{REDELIVER_ZH}"))
        notices.append(Notice(f"{path.name}: optional column '{column.header}' missing, left empty",
                              f"{name}：缺少可选列“{column.header}”，按空值处理"))
    return renames, notices


def read_file(path: Path, table: Table, formats: tuple[str, ...], name: str | None = None,
              max_unzipped_bytes: int = DEFAULT_LIMITS.max_unzipped_bytes) -> ReadFile:
    """Read, decode and map headers; raise FileRejected when the file cannot be used.

    ``name`` is how messages name the file (the deliveries-relative path; default: its name).
    """
    name = name or path.name
    raw, encoding, malformed, notices = _read_raw(path, name, table, formats, max_unzipped_bytes)
    renames, header_notices = _header_notices(raw, table, path, name)
    notices += header_notices
    if raw.height == 0 and not malformed:
        notices.append(Notice(
            f"{path.name}: header only, no data rows (a county export with no rows is usually a "
            "failed export); check with the department",
            f"{name}：只有表头、没有数据行（多半是导出失败）；请与报送部门核实"))
    header_of = {column: header for header, column in renames.items()}
    frame = raw.select(
        pl.col("source_row"),
        *[
            (pl.col(header_of[c.name]) if c.name in header_of else pl.lit(None))
            .cast(pl.String)
            .alias(c.name)
            for c in table.columns
        ],
    )
    ragged = [m for m in malformed if m.rule == "Q04"]
    if ragged:
        lines = ", ".join(str(m.line) for m in ragged[:5]) + (" …" if len(ragged) > 5 else "")
        notices.append(Notice(
            f"{path.name}: {len(ragged)} line(s) with another number of fields than the header's "
            f"{ragged[0].expected} quarantined (Q04; line {lines})",
            f"{name}：{len(ragged)} 行的字段数与表头（{ragged[0].expected} 个）不符，已隔离"
            f"（Q04；第 {lines.replace(', ', '、')} 行）"))
    undecodable = [m for m in malformed if m.rule == "Q06"]
    if undecodable:
        shown = undecodable[:UNDECODABLE_LINES_NAMED]
        more = len(undecodable) - len(shown)
        lines = ", ".join(str(m.line) for m in shown)
        notices.append(Notice(
            f"{path.name}: {len(undecodable)} line(s) with bytes that are not {encoding} "
            f"quarantined (Q06; line {lines}{f' and {more} more' if more else ''}); every "
            "other line loaded. Ask the department to check those records' characters",
            f"{name}：{len(undecodable)} 行含有无法按 {encoding} 解码的字节（多半是生僻字导出出错），"
            f"已隔离（Q06；第 {lines.replace(', ', '、')} 行{f'等，另有 {more} 行' if more else ''}），"
            "其余各行已入库；请部门核对这些记录的文字后重新报送"))
    return ReadFile(frame=frame, encoding=encoding, notices=notices, malformed=malformed)
