import codecs

import pytest

from pipelines.ingest.decode import UNDECODABLE_MARK, UndecodableFile, UndecodableLine, decode

TEXT = "户编号,证件号码\n5101,张三\n"


def test_gb18030_file_is_detected_and_transcoded():
    data = TEXT.encode("gb18030")
    assert decode(data).encoding == "GB18030"
    assert decode(data).data.decode("utf-8") == TEXT


def test_bom_file_is_detected_and_bom_dropped():
    data = codecs.BOM_UTF8 + TEXT.encode("utf-8")
    assert decode(data).encoding == "UTF-8-BOM"
    assert decode(data).data == TEXT.encode("utf-8")


def test_plain_utf8_is_detected():
    assert decode(TEXT.encode("utf-8")).encoding == "UTF-8"


def test_gbk_only_characters_decode_as_gb18030():
    # 'GBK' exports from Windows: GB18030 is a superset
    assert decode("低保".encode("gbk")).encoding == "GB18030"


def test_bytes_in_no_known_encoding_are_refused_with_advice():
    with pytest.raises(UndecodableFile, match="^byte 2 is neither UTF-8 nor GB18030; re-export "
                       "the file as UTF-8$"):
        decode(b"ab\xff\xffcd")


def test_gb18030_file_cut_off_mid_character_is_called_truncated():
    data = TEXT.encode("gb18030")[:-2]  # the last byte of 三 and the line end are lost
    with pytest.raises(UndecodableFile) as raised:
        decode(data)
    assert str(raised.value) == (
        f"the file looks truncated: it ends in the middle of a character (byte {len(data) - 1} "
        f"of {len(data)}); ask the department to send the whole file again")


def test_utf8_file_cut_off_mid_character_is_called_truncated_not_gb18030():
    data = TEXT.encode("utf-8")[:-2]  # two of the three bytes of 三 remain
    with pytest.raises(UndecodableFile, match="looks truncated") as raised:
        decode(data)
    assert raised.value.position == len(data) - 2 and raised.value.truncated


def test_lines_undecodable_in_the_files_encoding_are_set_aside_the_others_decoded():
    data = "户编号,证件号码\n5101,张三".encode("gb18030") + b"\n" + "5102,李".encode("gb18030") + \
        b"\x81\x20" + "四".encode("gb18030") + b"\r\n" + "5103,王五".encode("gb18030") + b"\n" + \
        b"5104,\xff" + "赵六".encode("gb18030") + b"\n"
    decoded = decode(data)
    assert decoded.encoding == "GB18030"
    assert decoded.undecodable == [UndecodableLine(3, "5102,李\\x81 四"),
                                   UndecodableLine(5, "5104,\\xff赵六")]
    assert decoded.data.decode("utf-8").split("\n") == [
        "户编号,证件号码", "5101,张三", f"{UNDECODABLE_MARK}0", "5103,王五", f"{UNDECODABLE_MARK}1", ""]


def test_a_file_mostly_undecodable_is_refused_whole():
    data = "户编号,证件号码\n".encode("gb18030") + b"\xff\xfe1\n\xff2\n\xff3\n5103,ok\n"
    with pytest.raises(UndecodableFile, match="^byte 16 is neither UTF-8 nor GB18030"):
        decode(data)
