"""The plain-text table of listings: lines break within their column, Chinese between any
characters, other scripts at spaces; long tables continue on the next page under their header."""

from __future__ import annotations

from signing.render.fonts import SUBSET_FONT_NAME, font_for_text
from signing.render.report import IssuedDocument, Section, render_issued_document
from signing.render.table import char_widths, wrap_text
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
