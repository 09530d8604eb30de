"""Rendering commitments: Chinese text, embedded fonts, determinism, glyph fallback."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from signing.errors import InvalidDocument, MissingGlyph, SigningErrorCode
from signing.pdf import DEFAULT_FALLBACK_FONTS, SUBSET_FONT_PATH, render_commitment_pdf

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils is not installed",
)
needs_system_font = pytest.mark.skipif(
    not Path(DEFAULT_FALLBACK_FONTS[0][0]).exists(), reason="fonts-wqy-microhei is not installed"
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return [line.split() for line in listing.splitlines()[2:]]


@needs_poppler
def test_render_writes_the_chinese_text_extractably(commitment, tmp_path):
    # when
    pdf = render_commitment_pdf(commitment)

    # then
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf, tmp_path)
    for expected in (
        "食品经营许可告知承诺书",
        "CN-2025-000123",
        "food-permit v1",
        "告知事项",
        "一、许可条件",
        "承诺内容",
        "填报信息",
        "上海市浦东新区世纪大道100号",
        "李四 <li@example.cn>",
        "履约义务",
        "2025-09-30 前",
        "承诺人",
        "91310000MA1FL0000X",
    ):
        assert expected in text, expected


@needs_poppler
def test_render_embeds_every_font_it_draws_with(commitment, tmp_path):
    # when
    pdf = render_commitment_pdf(commitment)

    # then: the shipped subset, embedded, subsetted, with a Unicode map; reportlab also
    # lists Helvetica in every document's font dictionary but draws no glyph with it
    rows = _fonts(pdf, tmp_path)
    drawn = [row for row in rows if row[0] != "Helvetica"]
    assert [row[0].split("+")[1] for row in drawn] == ["WenQuanYiMicroHei-GB2312"] * len(drawn)
    assert {tuple(row[-5:-2]) for row in drawn} == {("yes", "yes", "yes")}


def test_render_is_byte_identical_for_the_same_document(commitment):
    # when
    first = render_commitment_pdf(commitment)
    second = render_commitment_pdf(dataclasses.replace(commitment))

    # then
    assert first == second


def test_render_differs_when_any_field_differs(commitment):
    # given
    changed = dataclasses.replace(commitment, fields=(("经营场所", "上海市浦东新区世纪大道101号"),))

    # when / then
    assert render_commitment_pdf(changed) != render_commitment_pdf(commitment)


@needs_poppler
def test_render_uses_english_headings_for_english(commitment, tmp_path):
    # given
    english = dataclasses.replace(commitment, language="en")

    # when
    text = _text(render_commitment_pdf(english), tmp_path)

    # then
    for heading in ("Notice", "Commitment", "Particulars", "Obligations", "Signatory"):
        assert heading in text
    assert "告知事项" not in text
    assert "食品经营许可告知承诺书" in text


def test_render_refuses_an_unknown_language(commitment):
    # when / then
    with pytest.raises(InvalidDocument) as raised:
        render_commitment_pdf(dataclasses.replace(commitment, language="fr"))
    assert raised.value.code == SigningErrorCode.INVALID_DOCUMENT


@needs_poppler
@needs_system_font
def test_a_character_outside_the_subset_falls_back_to_the_system_font(commitment, tmp_path):
    # given a company name with 堃 and 喆, which GB2312 lacks
    rare = dataclasses.replace(commitment, subject_name="上海堃喆餐饮有限公司")

    # when
    pdf = render_commitment_pdf(rare)

    # then
    assert "上海堃喆餐饮有限公司" in _text(pdf, tmp_path)
    drawn = [row[0] for row in _fonts(pdf, tmp_path) if row[0] != "Helvetica"]
    assert {name.split("+")[1] for name in drawn} == {"WenQuanYiMicroHei-0"}


def test_a_character_no_font_has_raises_missing_glyph(settings, commitment):
    # given no fallback font, and a character outside the subset
    settings.SIGNING_PDF_FALLBACK_FONTS = ()
    rare = dataclasses.replace(commitment, subject_name="上海堃餐饮有限公司")

    # when / then
    with pytest.raises(MissingGlyph) as raised:
        render_commitment_pdf(rare)
    assert raised.value.code == SigningErrorCode.FONT_MISSING_GLYPH
    assert "U+5803" in raised.value.message


def test_the_shipped_subset_font_stays_small():
    # then
    assert SUBSET_FONT_PATH.stat().st_size < 2 * 1024 * 1024
