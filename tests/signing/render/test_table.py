"""The plain-text table of listings: lines break within their column, Chinese between any
characters, other scripts at spaces; long tables continue on the next page under their header."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from signing.render.fonts import SUBSET_FONT_NAME, font_for_text
from signing.render.report import IssuedDocument, Section, render_issued_document
from signing.render.table import (
    NOT_AT_LINE_END,
    NOT_AT_LINE_START,
    TextTable,
    char_widths,
    wrap_text,
)
from tests.pdf_text import pdf_info, pdf_text


def _widths():
    font_for_text("信用")  # registers the shipped font
    return char_widths(SUBSET_FONT_NAME, 9)


def test_chinese_breaks_between_characters_within_the_width():
    widths = _widths()
    text = "未按承诺期限履行义务第十二项材料逾期未提交"
    width = 9 * 6.5  # room for six characters of 9 pt

    lines = wrap_text(text, width, widths)

    assert "".join(lines) == text
    assert [len(line) for line in lines] == [6, 6, 6, 3]
    assert all(sum(widths[c] for c in line) <= width for line in lines)


SIX = 9 * 6.5  # room for six characters of 9 pt


def _fits(lines: list[str], width: float, widths) -> bool:
    return all(sum(widths[c] for c in line) <= width for line in lines)


def test_a_closing_mark_that_would_start_a_line_takes_the_character_before_it_down():
    widths = _widths()
    text = "企业未能履行。已经记录在案"  # 。 is the seventh character

    lines = wrap_text(text, SIX, widths)

    assert lines == ["企业未能履", "行。已经记录", "在案"]
    assert _fits(lines, SIX, widths)


def test_several_closing_marks_in_a_row_go_down_together_with_their_character():
    widths = _widths()
    text = "企业说已履行”。然后离开"  # ”。 fall on the seventh and eighth place

    lines = wrap_text(text, SIX, widths)

    assert lines == ["企业说已履", "行”。然后离", "开"]
    assert _fits(lines, SIX, widths)


def test_an_opening_bracket_never_ends_a_line():
    widths = _widths()
    text = "信用修复决（第十二号）已送达"  # （ is the sixth character

    lines = wrap_text(text, SIX, widths)

    assert lines == ["信用修复决", "（第十二号）", "已送达"]
    assert _fits(lines, SIX, widths)


def test_every_closing_and_opening_mark_obeys_the_rules_in_a_long_text():
    widths = _widths()
    marks = "。，、；：？！）」』》"
    text = "".join(
        f"第{index}项（甲「乙」『丙』《丁》）{marks[index % len(marks)]}" for index in range(60)
    )

    for width in (SIX, 9 * 7.5, 9 * 9.5, 9 * 11.5):
        lines = wrap_text(text, width, widths)

        assert "".join(lines) == text
        assert _fits(lines, width, widths)
        assert not any(line[0] in NOT_AT_LINE_START for line in lines[1:])
        assert not any(line[-1] in NOT_AT_LINE_END for line in lines[:-1])


def test_the_rule_gives_way_when_a_line_would_be_emptied():
    widths = _widths()

    lines = wrap_text("好。。。。。。。", 9 * 2.5, widths)  # nothing can carry all the marks

    assert lines == ["好。", "。。", "。。", "。。"]


def test_words_of_other_scripts_stay_whole_and_a_too_long_one_is_cut():
    widths = _widths()

    words = wrap_text("Credit repair notice issued", 60, widths)
    url = wrap_text("https://example.cn/reports/verify/SR-2026-ABCDEFGHJK/", 60, widths)

    assert [word for line in words for word in line.split()] == [
        "Credit",
        "repair",
        "notice",
        "issued",
    ]
    assert len(words) > 1
    assert "".join(url) == "https://example.cn/reports/verify/SR-2026-ABCDEFGHJK/"
    assert len(url) > 1 and all(sum(widths[c] for c in line) <= 60 for line in url)


def test_a_long_listing_continues_on_the_next_pages_under_its_header(tmp_path):
    rows = tuple(
        (f"2026-01-{index % 28 + 1:02d}", f"第{index + 1}项记录", "一般", "已记录")
        for index in range(120)
    )
    document = IssuedDocument(
        title="专项信用报告",
        reference="SR-2026-TESTTABLE",
        particulars=(("编号", "SR-2026-TESTTABLE"),),
        sections=(Section("其他记录", ("日期", "记录", "严重程度", "状态"), rows, "无"),),
    )

    data = render_issued_document(document)

    pages = int(pdf_info(data, tmp_path)["Pages"])
    text = pdf_text(data, tmp_path, layout=False)
    assert pages >= 3
    assert text.count("严重程度") == pages  # the header on every page of the table
    assert all(f"第{index + 1}项记录" in text for index in range(120))  # no row lost


@pytest.mark.parametrize("font_name", [SUBSET_FONT_NAME, "Helvetica"])
def test_each_cell_is_drawn_at_its_column_in_an_embedded_or_a_standard_font(font_name, tmp_path):
    # the embedded font's lines go through the line writer, a standard font's through
    # reportlab's own text drawing: both start each cell's lines at its column
    buffer = io.BytesIO()
    rows = [["Date", "Record", "Status"], ["2026-01-02", "late filing", "recorded"]]
    table = TextTable(rows, [100, 200, 100], font_name=font_name, font_size=9, leading=13)
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build([table])

    lines = pdf_text(buffer.getvalue(), tmp_path).splitlines()
    header = next(line for line in lines if "Date" in line)
    row = next(line for line in lines if "2026-01-02" in line)
    assert header.index("Record") == row.index("late filing")
    assert header.index("Status") == row.index("recorded")
