"""Rendering a commitment: extractable Chinese text, embedded fonts, identical bytes."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from signing.errors import InvalidDocument, SigningErrorCode
from signing.render.commitment import render_commitment_pdf

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils is not installed",
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


def test_threads_rendering_at_once_draw_each_document_as_alone(commitment):
    # given documents with different characters (so each builds its own font subset), each
    # rendered alone first
    documents = [
        dataclasses.replace(commitment, fields=(("经营场所", f"深圳市{place}区{n}号"),))
        for n, place in enumerate(["南山", "福田", "罗湖", "宝安", "龙岗", "盐田", "光明", "坪山"])
    ]
    alone = [render_commitment_pdf(document) for document in documents]

    # when eight threads render them all at once, several times (gunicorn's threads do: a
    # shared font's subset raced to a KeyError, a 500 on sign)
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(render_commitment_pdf, documents * 4))

    # then every document comes out byte for byte as it did alone
    assert together == alone * 4
