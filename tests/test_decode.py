import codecs

import pytest

from pipelines.ingest.decode import UndecodableFile, detect_encoding, to_utf8

TEXT = "户编号,证件号码\n5101,张三\n"


def test_gb18030_file_is_detected_and_transcoded():
    data = TEXT.encode("gb18030")
    assert detect_encoding(data) == "GB18030"
    assert to_utf8(data, "GB18030").decode("utf-8") == TEXT


def test_bom_file_is_detected_and_bom_dropped():
    data = codecs.BOM_UTF8 + TEXT.encode("utf-8")
    assert detect_encoding(data) == "UTF-8-BOM"
    assert to_utf8(data, "UTF-8-BOM") == TEXT.encode("utf-8")


def test_plain_utf8_is_detected():
    assert detect_encoding(TEXT.encode("utf-8")) == "UTF-8"


def test_gbk_only_characters_decode_as_gb18030():
    # 'GBK' exports from Windows: GB18030 is a superset
    assert detect_encoding("低保".encode("gbk")) == "GB18030"


def test_bytes_in_no_known_encoding_are_refused_with_advice():
    with pytest.raises(UndecodableFile, match="^byte 2 is neither UTF-8 nor GB18030; re-export "
                       "the file as UTF-8$"):
        detect_encoding(b"ab\xff\xffcd")


def test_gb18030_file_cut_off_mid_character_is_called_truncated():
    data = TEXT.encode("gb18030")[:-2]  # the last byte of 三 and the line end are lost
    with pytest.raises(UndecodableFile) as raised:
        detect_encoding(data)
    assert str(raised.value) == (
        f"the file looks truncated: it ends in the middle of a character (byte {len(data) - 1} "
        f"of {len(data)}); ask the department to send the whole file again")


def test_utf8_file_cut_off_mid_character_is_called_truncated_not_gb18030():
    data = TEXT.encode("utf-8")[:-2]  # two of the three bytes of 三 remain
    with pytest.raises(UndecodableFile, match="looks truncated") as raised:
        detect_encoding(data)
    assert raised.value.position == len(data) - 2 and raised.value.truncated
