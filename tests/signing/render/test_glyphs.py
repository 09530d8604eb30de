"""Which characters a signed PDF can show: the answer the validators and the renderer share."""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from fontTools.ttLib import TTCollection, TTFont
from hypothesis import given
from hypothesis import strategies as st

from directory.inputs import date_problem
from signing.render.commitment import render_commitment_pdf
from signing.render.fonts import DEFAULT_FALLBACK_FONTS, SUBSET_FONT_PATH
from signing.render.glyphs import (
    REFUSED_CATEGORIES,
    undrawable_characters,
    undrawable_message,
    validate_drawable,
)


@lru_cache(maxsize=8)
def _cmap(path: str, index: int) -> frozenset[int]:
    """The font file's character map read by fontTools, independently of reportlab."""
    font = TTCollection(path).fonts[index] if path.endswith(".ttc") else TTFont(path)
    return frozenset(font.getBestCmap())


def _oracle(settings) -> set[int]:
    codes = set(_cmap(str(SUBSET_FONT_PATH), 0))
    for path, index in settings.SIGNING_PDF_FALLBACK_FONTS:
        if Path(path).exists():
            codes |= _cmap(path, index)
    return codes


def test_emoji_and_bidi_controls_are_named_with_their_code_points(english):
    # when
    message = undrawable_message("深圳示例😀餐饮\u202e有限公司😀")

    # then each offending character is named once, in order, invisible ones by code point
    assert message == (
        "These characters cannot be shown in the signed document: 😀 (U+1F600), U+202E"
    )
    assert undrawable_message("深圳市示例餐饮有限公司 (Shenzhen) Ltd.\n第二行") is None


def test_a_bidi_control_is_refused_even_when_a_font_maps_it(settings):
    # given: the refusal of control and format characters does not depend on the fonts
    for character in "\u200e\u200f\u202a\u2066\u200b\ufeff\x07":
        assert undrawable_characters(f"公司{character}") == (character,)


def test_the_validator_raises_a_field_error_with_the_message(english):
    with pytest.raises(ValidationError) as raised:
        validate_drawable("😀")

    assert raised.value.code == "undrawable"
    assert raised.value.messages == [
        "These characters cannot be shown in the signed document: 😀 (U+1F600)"
    ]


@given(st.text(max_size=30))
def test_a_character_passes_exactly_when_a_font_file_maps_it_and_it_is_printable(settings, text):
    # given the fonts' character maps as fontTools reads them from the files
    drawable = _oracle(settings)

    # when
    refused = undrawable_characters(text)

    # then
    expected = {
        c
        for c in text
        if not c.isspace()
        and (unicodedata.category(c) in REFUSED_CATEGORIES or ord(c) not in drawable)
    }
    assert set(refused) == expected
    assert len(refused) == len(expected)


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12))
def test_text_that_passes_renders_and_text_that_fails_names_why(commitment, text):
    # given any text as a field value of a commitment
    document = dataclasses.replace(commitment, fields=(("经营场所", text),))

    # when / then: accepted text renders (no MissingGlyph), refused text has a message
    if undrawable_characters(text):
        assert undrawable_message(text)
    else:
        assert render_commitment_pdf(document).startswith(b"%PDF-")


def test_without_fallback_fonts_a_rare_character_is_refused(settings):
    # given only the shipped GB2312 subset
    settings.SIGNING_PDF_FALLBACK_FONTS = ()

    # then 堃 (outside GB2312) is refused; with the system font installed it passes
    assert undrawable_characters("上海堃餐饮") == ("堃",)
    settings.SIGNING_PDF_FALLBACK_FONTS = DEFAULT_FALLBACK_FONTS
    if Path(DEFAULT_FALLBACK_FONTS[0][0]).exists():
        assert undrawable_characters("上海堃餐饮") == ()


def test_the_messages_are_in_chinese_for_a_chinese_page():
    with translation.override("zh-hans"):
        assert undrawable_message("😀") == "这些字符无法在签署文件中显示：😀 (U+1F600)"
        assert date_problem(datetime.date(9999, 12, 31), today=datetime.date(2026, 12, 4)) == (
            "日期不能晚于2031-12-04。"
        )
