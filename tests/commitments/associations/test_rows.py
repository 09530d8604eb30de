"""Reading a members' file without the database: encodings, columns and each bad row."""

from __future__ import annotations

import codecs
import io

import pytest

from commitments.associations.rows import (
    FileProblem,
    column_map,
    data_rows,
    detect_encoding,
    row_parse,
)
from tests.factories import make_uscc

COLUMNS = ["code", "name", "contact", "phone"]
TEXT = "统一社会信用代码,名称\n914403001922038216,深圳市示例餐饮有限公司\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030"],
)
def test_each_encoding_is_detected_and_reads_the_same_text(data, expected):
    stream = io.BytesIO(data)
    assert detect_encoding(stream) == expected
    assert list(data_rows(stream, encoding=expected)) == [
        (2, ["914403001922038216", "深圳市示例餐饮有限公司"])
    ]


def test_a_file_in_neither_encoding_is_refused_whole():
    with pytest.raises(FileProblem) as refused:
        detect_encoding(io.BytesIO(TEXT.encode("utf-16")))
    assert refused.value.code == "encoding"


def test_headings_in_either_language_map_to_columns():
    assert column_map(["Code", "名称", "联系人", "Phone"], template_fields=[]) == COLUMNS
    assert column_map(
        ["统一社会信用代码", "名称", "门店数"],
        template_fields=[{"name": "outlets", "label": "门店数", "label_en": "Outlets"}],
    ) == ["code", "name", "field:outlets"]


@pytest.mark.parametrize(
    ("headings", "code", "column"),
    [
        (["统一社会信用代码", "名称", "备注"], "unknown_column", "备注"),
        (["统一社会信用代码", "名称", "名称"], "repeated_column", "名称"),
        (["名称"], "missing_column", "统一社会信用代码"),
    ],
)
def test_an_unknown_repeated_or_missing_column_is_refused(headings, code, column):
    with pytest.raises(FileProblem) as refused:
        column_map(headings, template_fields=[])
    assert (refused.value.code, refused.value.column) == (code, column)


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_number():
    data = b"code,name\nA,x\n,\n\nB,y\n"
    assert [n for n, _cells in data_rows(io.BytesIO(data), encoding="utf-8")] == [2, 5]


def test_a_good_row_has_no_reasons_and_keeps_its_contact():
    code = make_uscc()
    row = row_parse(2, [f" {code} ", "深圳市 好公司", "王经理", "138"], columns=COLUMNS)
    assert (row.code, row.name, row.reasons) == (code, "深圳市 好公司", [])
    assert row.contact == {"contact": "王经理", "phone": "138"}


def _reasons(cells):
    return row_parse(7, cells, columns=COLUMNS).reasons


def test_a_wrong_check_character_is_refused_as_a_checksum():
    code = make_uscc()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert _reasons([wrong, "公司"]) == [{"code": "code_checksum", "field": "code"}]


def test_a_malformed_code_is_refused_as_a_format():
    assert _reasons(["12345", "公司"]) == [{"code": "code_format", "field": "code"}]


def test_a_missing_code_and_name_are_both_reported():
    assert _reasons(["", ""]) == [
        {"code": "code_missing", "field": "code"},
        {"code": "name_missing", "field": "name"},
    ]


def test_more_values_than_columns_are_refused():
    assert _reasons([make_uscc(), "公司", "", "", "多余"]) == [{"code": "extra_cells", "field": ""}]


def test_a_too_long_name_or_contact_is_refused():
    assert _reasons([make_uscc(), "名" * 201, "人" * 101]) == [
        {"code": "too_long", "field": "name"},
        {"code": "too_long", "field": "contact"},
    ]
