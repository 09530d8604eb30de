"""Fonts: the shipped subset, the system fallback for rare characters, and the refusal."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from signing.errors import MissingGlyph, SigningErrorCode
from signing.render.commitment import render_commitment_pdf
from signing.render.fonts import DEFAULT_FALLBACK_FONTS, SUBSET_FONT_PATH

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
