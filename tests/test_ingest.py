"""The generic ingest path on hand-built deliveries: every quarantine case, the file-level
rejections, encodings, formats, and re-deliveries."""

from datetime import date
from decimal import Decimal

from pipelines.core.ingest_limits import IngestLimits
from pipelines.feeds import FEEDS, TABLES
from pipelines.ingest.stage import ingest_feed
from tests.deliveries import (
    REGISTRY_HEADER,
    STANDARDS_HEADER,
    VALID_ROWS,
    deliver,
    make_id,
    person,
    table_file,
)

VILLAGE = "510101100201"


# These fixtures are mostly bad rows on purpose, which would make each file a broken export
# (test_hostile_input.py tests that rule): here every share of usable rows loads.
EVERY_SHARE_LOADS = IngestLimits(min_usable_share=0)


def ingest(conn, raw, feed_id):
    return ingest_feed(conn, raw, FEEDS[feed_id], log=lambda _: None, limits=EVERY_SHARE_LOADS)


def files(conn, feed):
    return conn.execute(
        "select file, rows_read, rows_accepted, rows_quarantined, encoding, status, message "
        "from raw.ingest_files where feed = ? order by delivery_date, file", [feed]
    ).fetchall()


def quarantine(conn):
    return conn.execute(
        "select source_row, rule_id, message from raw.quarantine order by source_file, source_row"
    ).fetchall()


def test_each_quarantine_case_sends_exactly_its_row_with_rule_and_message(conn, tmp_path):
    good = person("H1", "11010519491231002X", "户主", VILLAGE, "未脱贫")
    no_household = person("", "110101199003074477", "配偶", VILLAGE, "未脱贫")
    bad_date = person("H1", "440524188001010014", "子女", VILLAGE, "未脱贫", birth="2019-02-30")
    bad_number = person("H1", "440524188001010022", "子女", VILLAGE, "未脱贫", income="3.4.5")
    bad_code = person("H1", "440524188001010030", "户长", VILLAGE, "未脱贫")
    bad_area = person("H1", "440524188001010049", "子女", "51010110020", "未脱贫")
    deliver(tmp_path, "registry", "2020-12-31", {"r.csv": [
        REGISTRY_HEADER, good, no_household, bad_date, bad_number, bad_code, bad_area]})

    summary = ingest(conn, tmp_path, "registry")

    assert quarantine(conn) == [
        (3, "Q01", "Q01 户编号(household_id) 为空"),
        (4, "Q02", "Q02 出生日期(birth_date)='2019-02-30' 不是有效日期(YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD)"),
        (5, "Q02", "Q02 家庭人均纯收入(per_capita_income)='3.4.5' 不是数值"),
        (6, "Q03", "Q03 与户主关系(relation)='户长' 不在代码表内"),
        (7, "Q02", "Q02 行政区划代码(village_code)='51010110020' 不是12位行政区划代码"),
    ]
    assert files(conn, "registry") == [("r.csv", 6, 1, 5, "UTF-8", "loaded", None)]
    assert (summary.rows_read, summary.rows_accepted, summary.rows_quarantined) == (6, 1, 5)


def test_quarantine_keeps_the_raw_values_as_delivered(conn, tmp_path):
    row = person("H1", "440524188001010014", "子女", VILLAGE, "未脱贫", birth="2019-02-30")
    deliver(tmp_path, "registry", "2020-12-31", {"r.csv": [REGISTRY_HEADER, row]})
    ingest(conn, tmp_path, "registry")
    raw = conn.execute("select raw_values->>'出生日期', raw_values->>'证件号码' "
                       "from raw.quarantine").fetchone()
    assert raw == ("2019-02-30", "440524188001010014")


def test_several_problems_on_one_row_are_all_named_and_the_row_counted_once(conn, tmp_path):
    row = person("", "440524188001010014", "户长", VILLAGE, "未脱贫", birth="20191345")
    deliver(tmp_path, "registry", "2020-12-31", {"r.csv": [REGISTRY_HEADER, row]})
    ingest(conn, tmp_path, "registry")
    ((_, rule, message),) = quarantine(conn)
    assert rule == "Q01"
    assert message.count(";") == 2
    assert "出生日期(birth_date)='20191345'" in message


def test_three_date_forms_thousands_separators_and_lower_case_x_are_accepted(conn, tmp_path):
    rows = [
        person("H1", "11010519491231002x", "户主", VILLAGE, "已脱贫", "2019", "1949-12-31", "1,234.50"),
        person("H1", "440524188001010014", "配偶", VILLAGE, "已脱贫", "2019", "1880/01/01", "1,234.50"),
        person("H1", "110101199003074477", "子女", VILLAGE, "已脱贫", "2019", "19900307", "1,234.50"),
    ]
    deliver(tmp_path, "registry", "2020-12-31", {"r.csv": [REGISTRY_HEADER, *rows]})
    ingest(conn, tmp_path, "registry")
    staged = conn.execute(
        "select id_number, birth_date::varchar, per_capita_income::varchar, exit_year "
        "from raw.registry order by source_row"
    ).fetchall()
    assert staged == [
        ("11010519491231002X", "1949-12-31", "1234.50", 2019),
        ("440524188001010014", "1880-01-01", "1234.50", 2019),
        ("110101199003074477", "1990-03-07", "1234.50", 2019),
    ]


def test_gb18030_file_is_read_and_its_encoding_recorded(conn, tmp_path):
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4,000.00", "4600", "3.00", ""]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows}, encoding="gb18030")
    ingest(conn, tmp_path, "standards")
    assert files(conn, "standards") == [("s.csv", 1, 1, 0, "GB18030", "loaded", None)]
    assert conn.execute("select poverty_line::varchar from raw.standards").fetchone() == ("4000.00",)


def test_bom_file_with_padded_headers_is_read(conn, tmp_path):
    rows = [[f" {h} " for h in STANDARDS_HEADER], ["510000000000", "2020", "4000", "4600", "3", ""]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows}, encoding="utf-8-sig")
    ingest(conn, tmp_path, "standards")
    assert files(conn, "standards")[0][1:6] == (1, 1, 0, "UTF-8-BOM", "loaded")


def test_xlsx_registry_file_is_read(conn, tmp_path):
    rows = [REGISTRY_HEADER, person("H1", "11010519491231002X", "户主", VILLAGE, "未脱贫")]
    deliver(tmp_path, "registry", "2020-12-31", {"r.xlsx": rows})
    ingest(conn, tmp_path, "registry")
    assert files(conn, "registry") == [("r.xlsx", 1, 1, 0, "XLSX", "loaded", None)]
    assert conn.execute("select household_id, id_number from raw.registry").fetchone() == (
        "H1", "11010519491231002X")


def test_xlsx_is_refused_for_feeds_whose_contract_says_csv(conn, tmp_path):
    deliver(tmp_path, "standards", "2020-01-15", {"s.xlsx": [STANDARDS_HEADER]})
    summary = ingest(conn, tmp_path, "standards")
    assert summary.rejected == [
        f"{tmp_path}/standards/2020-01-15/s.xlsx: .xlsx files are not accepted for this feed "
        "(accepted: csv); deliver it as CSV"
    ]


def test_missing_mandatory_column_rejects_the_whole_delivery_naming_file_and_column(conn, tmp_path):
    header = [h for h in REGISTRY_HEADER if h != "证件号码"]
    good = [REGISTRY_HEADER, person("H1", "11010519491231002X", "户主", VILLAGE, "未脱贫")]
    deliver(tmp_path, "registry", "2020-12-31", {"a.csv": good, "b.csv": [header]})
    summary = ingest(conn, tmp_path, "registry")
    message = ("b.csv: mandatory column '证件号码' (id_number) is missing; the whole delivery "
               "is rejected until the department re-delivers it")
    assert summary.rejected == [f"{tmp_path}/registry/2020-12-31/{message}"]
    assert files(conn, "registry") == [
        ("a.csv", 0, 0, 0, "UTF-8", "rejected", None),
        ("b.csv", 0, 0, 0, None, "rejected", message),
    ]
    assert conn.execute("select count(*) from raw.registry").fetchone() == (0,)


def test_extra_column_is_ignored_with_a_warning(conn, tmp_path):
    rows = [[*STANDARDS_HEADER, "备注"], ["510000000000", "2020", "4000", "4600", "3", "", "说明"]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows})
    ingest(conn, tmp_path, "standards")
    assert files(conn, "standards")[0][5:] == ("loaded", "s.csv: extra column '备注' ignored")


def test_folder_without_success_marker_is_skipped_and_recorded(conn, tmp_path):
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows}, complete=False)
    summary = ingest(conn, tmp_path, "standards")
    assert summary.incomplete == ["2020-01-15"]
    assert files(conn, "standards") == [("s.csv", 0, 0, 0, None, "skipped_incomplete",
        "standards/2020-01-15: no _SUCCESS yet (still being written); "
        "it is loaded on the first run after it is complete")]  # fmt: skip
    assert conn.execute("select count(*) from raw.standards").fetchone() == (0,)


def test_identical_redelivery_changes_nothing(conn, tmp_path):
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]
    folder = deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows})
    ingest(conn, tmp_path, "standards")
    before = conn.execute("select processed_at from raw.deliveries").fetchone()
    (folder / "s.csv").write_bytes((folder / "s.csv").read_bytes())  # same bytes, new mtime
    summary = ingest(conn, tmp_path, "standards")
    assert summary.unchanged == ["2020-01-15"] and summary.loaded == []
    assert conn.execute("select processed_at from raw.deliveries").fetchone() == before
    assert conn.execute("select count(*) from raw.standards").fetchone() == (1,)


def test_corrected_redelivery_replaces_that_date(conn, tmp_path):
    deliver(tmp_path, "standards", "2020-01-15",
            {"s.csv": [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""],
                       ["510101000000", "2020", "4000", "5000", "3", ""]]})
    ingest(conn, tmp_path, "standards")
    deliver(tmp_path, "standards", "2020-01-15",
            {"s.csv": [STANDARDS_HEADER, ["510000000000", "2020", "4100", "4600", "3", ""]]})
    summary = ingest(conn, tmp_path, "standards")
    assert summary.loaded == ["2020-01-15"]
    assert conn.execute("select area_code, poverty_line::int from raw.standards").fetchall() == [
        ("510000000000", 4100)]
    assert files(conn, "standards") == [("s.csv", 1, 1, 0, "UTF-8", "loaded", None)]


def test_medical_files_go_to_their_table_by_name_prefix(conn, tmp_path):
    enrollment = [[c.header for c in TABLES["medical_enrollment"].columns],
                  ["11010519491231002X", "张三", "2020", "城乡居民基本医疗保险", "正常参保", "0", "280",
                   "510101000000"]]  # fmt: skip
    claims = [[c.header for c in TABLES["medical_claims"].columns],
              ["C1", "11010519491231002X", "2020-03-01", "2020-03-05", "1,000.00", "600", "0", "100",
               "200", "是", "H1"]]  # fmt: skip
    deliver(tmp_path, "medical", "2020-12-31", {"enrollment_1.csv": enrollment,
                                                "claims_1.csv": claims})
    ingest(conn, tmp_path, "medical")
    assert conn.execute("select count(*) from raw.medical_enrollment").fetchone() == (1,)
    claim = conn.execute("select claim_id, total_cost::varchar from raw.medical_claims").fetchone()
    assert claim == ("C1", "1000.00")


def test_medical_file_with_unknown_prefix_rejects_the_delivery(conn, tmp_path):
    deliver(tmp_path, "medical", "2020-12-31", {"payments.csv": [["结算单号"]]})
    summary = ingest(conn, tmp_path, "medical")
    assert summary.rejected == [f"{tmp_path}/medical/2020-12-31/payments.csv: file name must "
                                "start with 'enrollment*' or 'claims*'"]


def test_standards_without_the_monitoring_line_load_it_empty_with_a_notice(conn, tmp_path):
    """监测标准 is optional (third release): a department that does not send it yet gets
    the column empty (the marts then use 1.5 x 扶贫标准) and a notice, not a rejection."""
    rows = [STANDARDS_HEADER[:-1], ["510000000000", "2020", "4000", "4600", "3"]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows})
    ingest(conn, tmp_path, "standards")
    assert files(conn, "standards")[0][5:] == (
        "loaded", "s.csv: optional column '监测标准' missing, left empty")
    assert conn.execute("select poverty_line, monitoring_line from raw.standards").fetchall() == [
        (Decimal("4000.00"), None)]


def test_a_store_staged_before_the_monitoring_line_gains_the_column(conn, tmp_path):
    """The staged standards of an earlier release lack monitoring_line: the next ingest
    adds it, empty for the rows already staged, and stages a new delivery's value in it
    (by name, whatever the column order of the old table)."""
    conn.execute("create schema raw")
    conn.execute("create table raw.standards (area_code varchar, year integer, "
                 "poverty_line decimal(18,2), dibao_line decimal(18,2), "
                 "exit_threshold_pct decimal(18,2), delivery_date date, source_file varchar, "
                 "source_row bigint)")  # fmt: skip
    conn.execute("insert into raw.standards values ('510000000000', 2019, 3747, 4300, 3, "
                 "'2019-01-15', 'old.csv', 1)")
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", "6000"]]
    deliver(tmp_path, "standards", "2020-01-15", {"s.csv": rows})
    ingest(conn, tmp_path, "standards")
    assert conn.execute("select year, monitoring_line, source_file from raw.standards "
                        "order by year").fetchall() == [
        (2019, None, "old.csv"), (2020, Decimal("6000.00"), "s.csv")]  # fmt: skip


def test_a_monitoring_roster_is_staged_and_its_bad_rows_quarantined(conn, tmp_path):
    """The 防返贫 roster goes through the one ingest path: three rows read, a member
    without 纳入监测日期 (mandatory) quarantined as Q01, a 监测对象类别 outside the code
    list as Q03; two accepted."""
    table = TABLES["monitoring"]
    row = VALID_ROWS["monitoring"]
    member = {**row, "id_number": make_id("20100101", "002"), "relation": "子女"}
    deliver(tmp_path, "monitoring", "2020-12-31", {"m.csv": table_file(table, [
        row, member, {**member, "id_number": make_id("20120101", "004"), "included_date": ""},
        {**member, "id_number": make_id("20140101", "006"), "category": "一般户"}])})
    ingest(conn, tmp_path, "monitoring")
    assert files(conn, "monitoring") == [("m.csv", 4, 2, 2, "UTF-8", "loaded", None)]
    assert [r[:2] for r in quarantine(conn)] == [(4, "Q01"), (5, "Q03")]
    assert conn.execute("select monitor_household_id, relation, category, included_date "
                        "from raw.monitoring order by source_row").fetchall() == [
        ("M1", "户主", "脱贫不稳定户", date(2020, 3, 1)),
        ("M1", "子女", "脱贫不稳定户", date(2020, 3, 1))]  # fmt: skip
