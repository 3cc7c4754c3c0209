"""Deliveries shaped like real county exports: ragged lines (Q04), empty and header-only
files, a file cut off in transfer, a workbook with a cover sheet; and the Chinese text
every rejection and warning gets, naming the file relative to the deliveries folder."""

import polars as pl

from pipelines.feeds import TABLES
from tests.deliveries import REGISTRY_HEADER, STANDARDS_HEADER, deliver, person, table_file
from tests.test_ingest import ingest

VILLAGE = "510101100201"
EDUCATION = [c.header for c in TABLES["education"].columns]


def pupil(student_no: str) -> list[str]:
    return [student_no, "11010519491231002X", "张三", "2020-2021", "小学", "在读", "X", VILLAGE,
            "", ""]  # fmt: skip


def file_rows(conn, feed):
    return conn.execute(
        "select file, rows_read, rows_accepted, rows_quarantined, status, message, message_zh "
        "from raw.ingest_files where feed = ? order by delivery_date, file", [feed]
    ).fetchall()


def write_csv(folder, name: str, text: str, encoding: str = "utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    (folder / "_SUCCESS").touch()


def test_lines_with_too_many_and_too_few_fields_are_quarantined_as_q04(conn, tmp_path):
    """Rows 2, 5 good; row 3 has 11 fields (a comma in a name), row 4 has 9."""
    lines = [",".join(EDUCATION), ",".join(pupil("S1")), ",".join(pupil("S2")) + ",多余",
             ",".join(pupil("S3")[:-1]), ",".join(pupil("S4"))]
    write_csv(tmp_path / "education" / "2020-10-15", "e.csv", "\n".join(lines) + "\n")

    summary = ingest(conn, tmp_path, "education")

    assert summary.rejected == []
    assert (summary.rows_read, summary.rows_accepted, summary.rows_quarantined) == (4, 2, 2)
    assert conn.execute("select student_no from raw.education order by source_row").fetchall() == [
        ("S1",), ("S4",)]
    assert conn.execute(
        "select source_row, rule_id, message, raw_values->>'行号', raw_values->>'原始文本' "
        "from raw.quarantine order by source_row").fetchall() == [
        (3, "Q04", "Q04 第3行有11个字段，表头有10个", "3", lines[2]),
        (4, "Q04", "Q04 第4行有9个字段，表头有10个", "4", lines[3]),
    ]
    assert file_rows(conn, "education") == [(
        "e.csv", 4, 2, 2, "loaded",
        "e.csv: 2 line(s) with another number of fields than the header's 10 quarantined "
        "(Q04; line 3, 4)",
        "education/2020-10-15/e.csv：2 行的字段数与表头（10 个）不符，已隔离（Q04；第 3、4 行）")]


def test_quoted_line_breaks_and_crlf_still_load_beside_a_ragged_line(conn, tmp_path):
    """Row 2 spans lines 2-3 (a quoted line break in 学校代码), so the ragged row 3 starts
    on line 4; CRLF line ends throughout."""
    first = pupil("S1")
    first[6] = '"一小\n分校"'
    lines = [",".join(EDUCATION), ",".join(first), ",".join(pupil("S2")[:5]), ",".join(pupil("S3"))]
    write_csv(tmp_path / "education" / "2020-10-15", "e.csv", "\r\n".join(lines) + "\r\n")

    ingest(conn, tmp_path, "education")

    assert conn.execute("select source_row, student_no, school_code from raw.education "
                        "order by source_row").fetchall() == [(2, "S1", "一小\n分校"), (4, "S3", "X")]
    assert conn.execute("select source_row, message, raw_values->>'原始文本' "
                        "from raw.quarantine").fetchall() == [
        (3, "Q04 第4行有5个字段，表头有10个", ",".join(pupil("S2")[:5]))]
    assert file_rows(conn, "education")[0][1:4] == (3, 2, 1)


def test_a_row_with_only_its_last_value_empty_is_not_malformed(conn, tmp_path):
    rows = [pupil("S1"), pupil("S2")]  # 资助金额, the last column, is empty in both
    deliver(tmp_path, "education", "2020-10-15", {"e.csv": [EDUCATION, *rows]})
    ingest(conn, tmp_path, "education")
    assert file_rows(conn, "education")[0][1:5] == (2, 2, 0, "loaded")


def test_a_zero_byte_file_is_rejected_as_empty(conn, tmp_path):
    folder = tmp_path / "standards" / "2020-01-15"
    write_csv(folder, "s.csv", "")
    summary = ingest(conn, tmp_path, "standards")
    assert summary.rejected == [
        f"{folder}/s.csv: the file is empty (0 bytes), probably a failed export; ask the "
        "department to export it again and re-deliver the folder"]
    assert file_rows(conn, "standards")[0][4:] == (
        "rejected",
        "s.csv: the file is empty (0 bytes), probably a failed export; ask the department to "
        "export it again and re-deliver the folder",
        "standards/2020-01-15/s.csv：文件为空（0 字节），多半是导出失败；请部门重新导出并重新报送整批数据")


def test_a_header_only_file_loads_nothing_and_says_so(conn, tmp_path):
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": [STANDARDS_HEADER]})
    summary = ingest(conn, tmp_path, "standards")
    assert summary.loaded == ["2020-01-15"]
    assert summary.warnings == [
        "2020-01-15/s.csv: header only, no data rows (a county export with no rows is usually "
        "a failed export); check with the department"]
    assert file_rows(conn, "standards")[0][1:5] == (0, 0, 0, "loaded")
    assert file_rows(conn, "standards")[0][6] == (
        "standards/2020-01-15/s.csv：只有表头、没有数据行（多半是导出失败）；请与报送部门核实")


def test_a_gb18030_file_cut_off_mid_character_is_called_truncated(conn, tmp_path):
    text = ",".join(STANDARDS_HEADER) + "\n510000000000,2020,4000,4600,3,\n"
    data = text.encode("gb18030")
    folder = tmp_path / "standards" / "2020-01-15"
    folder.mkdir(parents=True)
    (folder / "s.csv").write_bytes(data + "说".encode("gb18030")[:1])
    (folder / "_SUCCESS").touch()
    ingest(conn, tmp_path, "standards")
    size = len(data) + 1
    assert file_rows(conn, "standards")[0][4:] == (
        "rejected",
        f"s.csv: the file looks truncated: it ends in the middle of a character (byte "
        f"{size - 1} of {size}); ask the department to send the whole file again",
        f"standards/2020-01-15/s.csv：文件似乎不完整：在一个汉字中间结束（第 {size - 1} 字节，共 {size} "
        "字节），请部门重新发送完整文件")


def write_workbook(path, sheets: dict[str, list[list[str]]]) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(path) as workbook:
        for sheet, rows in sheets.items():
            pl.DataFrame(rows[1:], schema=rows[0], orient="row").write_excel(workbook, worksheet=sheet)
    (path.parent / "_SUCCESS").touch()


COVER = [["说明"], ["本表由县扶贫办导出"]]
REGISTRY_ROWS = [REGISTRY_HEADER, person("H1", "11010519491231002X", "户主", VILLAGE, "未脱贫")]


def test_a_workbook_with_a_cover_sheet_is_read_from_its_data_sheet(conn, tmp_path):
    write_workbook(tmp_path / "registry" / "2020-12-31" / "r.xlsx",
                   {"说明": COVER, "花名册": REGISTRY_ROWS})
    ingest(conn, tmp_path, "registry")
    assert file_rows(conn, "registry") == [(
        "r.xlsx", 1, 1, 0, "loaded", "r.xlsx: data read from sheet '花名册'",
        "registry/2020-12-31/r.xlsx：数据取自工作表“花名册”")]


def test_a_workbook_without_a_data_sheet_is_rejected_naming_its_sheets(conn, tmp_path):
    write_workbook(tmp_path / "registry" / "2020-12-31" / "r.xlsx", {"说明": COVER, "备注": COVER})
    ingest(conn, tmp_path, "registry")
    assert file_rows(conn, "registry")[0][4:] == (
        "rejected",
        "r.xlsx: no sheet has this feed's header row (sheets: '说明', '备注'); the header must be "
        "in row 1 of the data sheet",
        "registry/2020-12-31/r.xlsx：没有哪个工作表的第1行是本数据源的表头（工作表：“说明”、“备注”）；"
        "请把表头放在数据表的第1行，请部门修正后重新报送整批数据")


def test_a_workbook_with_two_data_sheets_is_rejected_naming_them(conn, tmp_path):
    write_workbook(tmp_path / "registry" / "2020-12-31" / "r.xlsx",
                   {"说明": COVER, "一村": REGISTRY_ROWS, "二村": REGISTRY_ROWS})
    ingest(conn, tmp_path, "registry")
    assert file_rows(conn, "registry")[0][5] == (
        "r.xlsx: several sheets (一村, 二村) have this feed's header row; deliver one sheet per "
        "workbook, or one file per sheet")


def test_chinese_messages_name_files_relative_to_the_deliveries_folder(conn, tmp_path):
    header = [h for h in REGISTRY_HEADER if h != "证件号码"]
    deliver(tmp_path, "registry", "2020-12-31", {"a.csv": [header], "b.csv": REGISTRY_ROWS})
    deliver(tmp_path, "registry", "2021-01-31", {"c.csv": REGISTRY_ROWS}, complete=False)
    ingest(conn, tmp_path, "registry")
    assert [(f, zh) for f, *_, zh in file_rows(conn, "registry")] == [
        ("a.csv", "registry/2020-12-31/a.csv：缺少必填列“证件号码”，整批数据已拒收；"
                  "请部门修正后重新报送整批数据"),
        ("b.csv", "未读取：同批文件被拒收（registry/2020-12-31/a.csv：缺少必填列“证件号码”，整批数据已拒收；"
                  "请部门修正后重新报送整批数据）"),
        ("c.csv", "registry/2021-01-31：尚无 _SUCCESS 标记（可能仍在写入），本次未读取；"
                  "标记出现后的第一次运行会自动入库"),
    ]
    assert not any(str(tmp_path) in zh for *_, zh in file_rows(conn, "registry"))


def test_every_standards_row_is_accounted_for_in_a_file_of_mixed_problems(conn, tmp_path):
    """rows read 4 = accepted 1 + quarantined 3 (Q01 empty year, Q04 short row, Q04 long row)."""
    rows = table_file(TABLES["standards"], [
        {"area_code": "510000000000", "year": "2020", "poverty_line": "4000", "dibao_line": "4600",
         "exit_threshold_pct": "3", "monitoring_line": ""},
        {"area_code": "510101000000", "year": "", "poverty_line": "4000", "dibao_line": "4600",
         "exit_threshold_pct": "3", "monitoring_line": ""},
    ])
    text = "\n".join(",".join(r) for r in rows) + "\n510000000000,2020\n510000000000,2020,1,2,3,4,5\n"
    write_csv(tmp_path / "standards" / "2020-01-15", "s.csv", text)
    summary = ingest(conn, tmp_path, "standards")
    assert (summary.rows_read, summary.rows_accepted, summary.rows_quarantined) == (4, 1, 3)
    assert conn.execute("select source_row, rule_id from raw.quarantine order by 1").fetchall() == [
        (3, "Q01"), (4, "Q04"), (5, "Q04")]
