"""A font's subset made from tables read once is the subset reportlab makes itself."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace, TTFontFile

from signing.render.commitment import render_commitment_pdf
from signing.render.fonts import DEFAULT_FALLBACK_FONTS, SUBSET_FONT_NAME, font_for_text
from signing.render.subset import SubsetMaker

VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
CHINESE = "上海示例餐饮管理有限公司承诺本单位郑重所填写的信息真实准确完整愿意承担不实法律责任"


def _shipped_face() -> TTFontFace:
    return pdfmetrics.getFont(font_for_text("承诺")).face


def _reportlab_subset(face: TTFontFace, subset: list[int]) -> bytes:
    return TTFontFile.makeSubset(face, subset)


def _codes(text: str) -> list[int]:
    """A subset as reportlab lists it: the missing glyph, then characters by first use."""
    return [0, *dict.fromkeys(ord(character) for character in text)]


@pytest.mark.parametrize(
    "text",
    [
        "CN-2025-000123 Page 1",
        CHINESE,
        CHINESE + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ（）、，。：",
        "缺𠀀字\U000f0000",  # characters the font lacks share the missing glyph
    ],
)
def test_the_shipped_fonts_subset_is_reportlabs(text):
    face = _shipped_face()
    maker = SubsetMaker(face)

    assert maker(_codes(text)) == _reportlab_subset(face, _codes(text))
    # again, from the glyphs it kept
    assert maker(_codes(text)) == _reportlab_subset(face, _codes(text))


def test_a_full_subset_of_256_characters_is_reportlabs():
    face = _shipped_face()
    codes = [0, *sorted(face.charToGlyph)[1000:1255]]

    assert SubsetMaker(face)(codes) == _reportlab_subset(face, codes)


def test_composite_glyphs_and_their_components_are_reportlabs():
    # Vera's accented letters are composite glyphs: a base letter and an accent
    face = TTFontFace(str(VERA))
    codes = _codes("ÀÉîõüçñ Åå and plain text")
    maker = SubsetMaker(face)

    made = maker(codes)

    assert any(components for _data, components in maker.glyphs.values())
    assert made == _reportlab_subset(face, codes)


@pytest.mark.skipif(
    not Path(DEFAULT_FALLBACK_FONTS[0][0]).exists(), reason="fonts-wqy-microhei is not installed"
)
def test_the_fallback_collections_subset_is_reportlabs():
    face = TTFontFace(DEFAULT_FALLBACK_FONTS[0][0], subfontIndex=DEFAULT_FALLBACK_FONTS[0][1])
    codes = _codes("上海堃喆璟昇犇餐饮有限公司 Page 2")

    assert SubsetMaker(face)(codes) == _reportlab_subset(face, codes)


def test_a_glyph_of_two_bytes_is_left_to_reportlab():
    # a glyph shorter than its own header: reportlab reads past its end, so the maker hands
    # the subset to reportlab rather than imitate that
    face = copy.copy(TTFontFace(str(VERA)))
    glyph = face.charToGlyph[ord("A")]
    face.glyphPos = list(face.glyphPos)
    face.glyphPos[glyph + 1] = face.glyphPos[glyph] + 2
    codes = _codes("ABC")

    assert SubsetMaker(face)(codes) == _reportlab_subset(face, codes)


def test_the_renderer_embeds_the_subsets_reportlab_would(commitment, monkeypatch):
    # given a commitment rendered with the maker in place (every registered font has one)
    face = _shipped_face()
    assert isinstance(face.makeSubset, SubsetMaker)
    assert font_for_text(commitment.title) == SUBSET_FONT_NAME
    made = render_commitment_pdf(commitment)

    # when rendered again with reportlab's own subsets
    monkeypatch.setattr(face, "makeSubset", TTFontFile.makeSubset.__get__(face))
    reportlabs = render_commitment_pdf(dataclasses.replace(commitment))

    # then the bytes are the same
    assert made == reportlabs
