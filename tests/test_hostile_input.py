"""Deliveries as a hostile or careless department sends them (issue 22, items 3, 4, 6, 9
and 10; feeds.md, "Bad input"): links out of the deliveries folder, a folder from the
future, a correction copied with `cp -p`, undecodable bytes, a broken export and a
workbook that unzips to too much."""

from __future__ import annotations

import os
import subprocess
import zipfile
from datetime import date

from pipelines.core.ingest_limits import IngestLimits
from pipelines.feeds import FEEDS
from pipelines.ingest.stage import ingest_feed
from tests.deliveries import REGISTRY_HEADER, STANDARDS_HEADER, deliver, person, write_file
from tests.test_ingest import VILLAGE, files, quarantine

NIGHT = date(2026, 12, 1)
IDS = ["11010519491231002X", "110101199003074477", "440524188001010014", "440524188001010022",
       "440524188001010030", "440524188001010049"]  # fmt: skip


def ingest(conn, raw, feed_id, **options):
    return ingest_feed(conn, raw, FEEDS[feed_id], log=lambda _: None, **options)


def standards(conn):
    return conn.execute("select area_code, poverty_line::int from raw.standards "
                        "order by all").fetchall()


def test_a_file_that_links_out_of_the_deliveries_folder_is_not_read(conn, tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "standards" / "2020-01-15"
    folder.mkdir(parents=True)
    (folder / "s.csv").symlink_to("/etc/passwd")
    (folder / "_SUCCESS").touch()
    summary = ingest(conn, raw, "standards")
    assert summary.rejected == [
        "s.csv: a symbolic link to /etc/passwd, outside the deliveries folder "
        f"{raw}; not read, and the delivery is rejected. Put the file itself (not a link) "
        "into the folder"]
    assert conn.execute("select file, status, message_zh from raw.ingest_files").fetchall() == [
        ("s.csv", "rejected", "standards/2020-01-15/s.csv：是指向数据目录以外的符号链接，不予读取，"
         "整批数据已拒收；请把文件本身（而不是链接）放入报送文件夹后重新报送")]
    assert conn.execute("select count(*) from raw.file_digests").fetchone() == (0,)


def test_a_delivery_folder_that_links_out_is_not_staged_a_link_inside_is(conn, tmp_path):
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]
    deliver(elsewhere, "standards", "2020-01-15", {"s.csv": rows})
    (raw / "standards").mkdir(parents=True)
    (raw / "standards" / "2020-01-15").symlink_to(elsewhere / "standards" / "2020-01-15")
    deliver(raw, "standards", "2020-02-01", {"s.csv": rows})
    (raw / "standards" / "2020-02-02").symlink_to(raw / "standards" / "2020-02-01")
    summary = ingest(conn, raw, "standards")
    assert summary.loaded == ["2020-02-01", "2020-02-02"]
    assert summary.rejected == [
        f"standards/2020-01-15: the delivery folder is a symbolic link to {elsewhere}/standards/"
        f"2020-01-15, outside the deliveries folder {raw}; not read. Put the files themselves "
        "(not a link) into the folder"]
    assert conn.execute("select delivery_date::varchar, file, status from raw.ingest_files "
                        "order by all").fetchall() == [
        ("2020-01-15", None, "rejected"), ("2020-02-01", "s.csv", "loaded"),
        ("2020-02-02", "s.csv", "loaded")]


def test_a_delivery_from_the_future_waits_for_its_night(conn, tmp_path):
    rows = [STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]
    deliver(tmp_path, "standards", "2099-01-01", {"s.csv": rows})
    deliver(tmp_path, "standards", "2026-12-08", {"s.csv": rows})  # within 7 days: loaded
    summary = ingest(conn, tmp_path, "standards", night=NIGHT)
    assert summary.loaded == ["2026-12-08"]
    assert summary.rejected == [
        "standards/2099-01-01: dated 2099-01-01, more than 7 days after the night being run "
        "(2026-12-01): a typo in the folder name or a wrong clock? Not loaded; if it is still "
        "there it is loaded on the night of 2098-12-25. Rename the folder if its date is wrong"]
    assert conn.execute("select status, message_zh from raw.ingest_files where delivery_date = "
                        "'2099-01-01'").fetchall() == [
        ("rejected", "standards/2099-01-01：报送日期 2099-01-01 比本次运行日期 2026-12-01 晚 7 天以上"
         "（文件夹日期写错或电脑时钟有误？），本次不入库；若届时仍在，将于 2098-12-25 的夜间运行入库；"
         "如日期有误，请改正文件夹名")]
    assert conn.execute("select count(*) from raw.standards").fetchone() == (1,)
    later = ingest(conn, tmp_path, "standards", night=date(2098, 12, 25))
    assert later.loaded == ["2099-01-01"] and later.unchanged == ["2026-12-08"]
    assert conn.execute("select count(*) from raw.standards").fetchone() == (2,)


def test_a_correction_copied_with_cp_p_is_loaded(conn, tmp_path):
    """Same size, same modification time, other bytes: what `cp -p` or unzipping a quick
    re-export gives."""
    folder = deliver(tmp_path / "raw", "standards", "2020-01-15", {"s.csv": [
        STANDARDS_HEADER, ["510000000000", "2020", "4000", "4600", "3", ""]]})
    ingest(conn, tmp_path / "raw", "standards")
    corrected = write_file(tmp_path / "corrected", "s.csv", [
        STANDARDS_HEADER, ["510000000000", "2020", "4100", "4600", "3", ""]])
    os.utime(corrected, ns=(folder.joinpath("s.csv").stat().st_atime_ns,
                            folder.joinpath("s.csv").stat().st_mtime_ns))
    before = folder.joinpath("s.csv").stat()
    subprocess.run(["cp", "-p", str(corrected), str(folder / "s.csv")], check=True)
    after = folder.joinpath("s.csv").stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    summary = ingest(conn, tmp_path / "raw", "standards")
    assert summary.loaded == ["2020-01-15"]
    assert standards(conn) == [("510000000000", 4100)]


def _gb18030_registry(path, rows: list[list[str]], bad_rows: dict[int, bytes]) -> None:
    """Rows as GB18030 lines, row i (1 = the first data row) replaced by bad_rows[i]."""
    lines = [",".join(REGISTRY_HEADER).encode("gb18030")]
    for i, row in enumerate(rows, start=1):
        lines.append(bad_rows.get(i) or ",".join(row).encode("gb18030"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")


def test_two_undecodable_lines_are_quarantined_q06_the_rest_loaded(conn, tmp_path):
    rows = [person(f"H{i}", IDS[i], "户主", VILLAGE, "未脱贫") for i in range(6)]
    bad = {2: ",".join(rows[1]).encode("gb18030").replace("测试人".encode("gb18030"),
                                                          "测".encode("gb18030") + b"\x81\x20"),
           5: ",".join(rows[4]).encode("gb18030").replace("因病".encode("gb18030"), b"\xff\xfe")}
    folder = tmp_path / "registry" / "2020-12-31"
    _gb18030_registry(folder / "r.csv", rows, bad)
    (folder / "_SUCCESS").touch()
    summary = ingest(conn, tmp_path, "registry")
    assert (summary.rows_read, summary.rows_accepted, summary.rows_quarantined) == (6, 4, 2)
    assert conn.execute("select household_id, source_row from raw.registry order by 2"
                        ).fetchall() == [("H0", 2), ("H2", 4), ("H3", 5), ("H5", 7)]
    assert quarantine(conn) == [(3, "Q06", "Q06 第3行含有无法按 GB18030 解码的字节"),
                                (6, "Q06", "Q06 第6行含有无法按 GB18030 解码的字节")]
    raw_text = conn.execute("select raw_values->>'原始文本' from raw.quarantine order by source_row"
                            ).fetchall()  # fmt: skip
    assert raw_text[0][0] == ",".join(rows[1]).replace("测试人", "测\\x81 ")
    assert raw_text[1][0] == ",".join(rows[4]).replace("因病", "\\xff\\xfe")
    assert files(conn, "registry") == [(
        "r.csv", 6, 4, 2, "GB18030", "loaded",
        "r.csv: 2 line(s) with bytes that are not GB18030 quarantined (Q06; line 3, 6); every "
        "other line loaded. Ask the department to check those records' characters")]


def test_a_file_mostly_undecodable_rejects_the_delivery(conn, tmp_path):
    rows = [person(f"H{i}", IDS[i], "户主", VILLAGE, "未脱贫") for i in range(4)]
    folder = tmp_path / "registry" / "2020-12-31"
    _gb18030_registry(folder / "r.csv", rows, {i: b"\xff\xfe\xfd" for i in (1, 2, 3)})
    (folder / "_SUCCESS").touch()
    summary = ingest(conn, tmp_path, "registry")
    first_bad = len(",".join(REGISTRY_HEADER).encode("gb18030")) + len(b"\r\n")
    assert summary.rejected == [f"{folder}/r.csv: byte {first_bad} is neither UTF-8 nor "
                                "GB18030; re-export the file as UTF-8"]


def _registry_with_usable(tmp_path, usable: int, broken: int) -> None:
    """A good June snapshot, then a December file of which ``usable`` rows can be used and
    ``broken`` have no ID number."""
    good = [person(f"H{i}", f"110101{1950 + i}01010010", "户主", VILLAGE, "未脱贫")
            for i in range(usable + broken)]
    deliver(tmp_path, "registry", "2020-06-30", {"r.csv": [REGISTRY_HEADER, *good]})
    rows = [row if i < usable else [*row[:1], "", *row[2:]] for i, row in enumerate(good)]
    deliver(tmp_path, "registry", "2020-12-31", {"r.csv": [REGISTRY_HEADER, *rows]})


def test_a_file_of_which_49_percent_is_usable_rejects_the_delivery(conn, tmp_path):
    _registry_with_usable(tmp_path, usable=49, broken=51)
    summary = ingest(conn, tmp_path, "registry")
    assert summary.loaded == ["2020-06-30"]
    assert summary.rejected == [
        f"{tmp_path}/registry/2020-12-31/r.csv: 49 of 100 rows usable (fewer than 50%): a "
        "broken export, not a partial delivery, so the delivery is rejected and the earlier "
        "snapshot stands; commonest reasons: Q01 证件号码(id_number) empty in 51 rows"]
    assert conn.execute("select message_zh from raw.ingest_files where delivery_date = "
                        "'2020-12-31'").fetchall() == [(
        "registry/2020-12-31/r.csv：100 行中只有 49 行可用（不足 50%），应是导出出错而非部分报送，"
        "整批数据已拒收，沿用此前的数据；主要原因：Q01 证件号码(id_number) 为空 51 行；"
        "请部门修正后重新报送整批数据",)]
    assert conn.execute("select delivery_date::varchar, count(*) from raw.registry group by 1"
                        ).fetchall() == [("2020-06-30", 100)]  # fmt: skip
    assert conn.execute("select count(*) from raw.quarantine where delivery_date = '2020-12-31'"
                        ).fetchone() == (0,)  # fmt: skip


def test_a_file_of_which_51_percent_is_usable_loads_the_rest_quarantined(conn, tmp_path):
    _registry_with_usable(tmp_path, usable=51, broken=49)
    summary = ingest(conn, tmp_path, "registry")
    assert summary.loaded == ["2020-06-30", "2020-12-31"] and summary.rejected == []
    assert files(conn, "registry")[1][:4] == ("r.csv", 100, 51, 49)


def test_the_usable_share_is_a_setting(conn, tmp_path):
    _registry_with_usable(tmp_path, usable=51, broken=49)
    summary = ingest(conn, tmp_path, "registry", limits=IngestLimits(min_usable_share=0.6))
    assert summary.rejected[0].endswith("r.csv: 51 of 100 rows usable (fewer than 60%): a "
                                        "broken export, not a partial delivery, so the delivery "
                                        "is rejected and the earlier snapshot stands; commonest "
                                        "reasons: Q01 证件号码(id_number) empty in 49 rows")


def test_a_workbook_larger_unzipped_than_the_bound_is_refused_unread(conn, tmp_path):
    rows = [REGISTRY_HEADER, *[person(f"H{i}", IDS[i], "户主", VILLAGE, "未脱贫") for i in range(6)]]
    folder = deliver(tmp_path, "registry", "2020-12-31", {"r.xlsx": rows})
    with zipfile.ZipFile(folder / "r.xlsx") as book:
        unzipped = sum(i.file_size for i in book.infolist())
    summary = ingest(conn, tmp_path, "registry",
                     limits=IngestLimits(max_unzipped_bytes=unzipped - 1))
    assert summary.rejected == [
        f"{folder}/r.xlsx: the workbook unzips to 0 MiB, more than the bound of 0 MiB "
        "(POVMON_MAX_UNZIPPED_MIB); refused before it is read. Usually a broken export; "
        "check it, or deliver the data in several files or as CSV"]
    assert ingest(conn, tmp_path, "registry", limits=IngestLimits(max_unzipped_bytes=unzipped)
                  ).loaded == ["2020-12-31"]
