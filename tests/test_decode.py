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
    with pytest.raises(UndecodableFile, match="re-export the file as UTF-8"):
        detect_encoding(b"\x81\x30\x81")  # a truncated four-byte GB18030 sequence
