"""The seal's pre-drawn stamp: its QR code opens the verification page."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from PIL import Image

from signing.render.stamp import render_seal_stamp
from tests.pdf_text import pdf_text

VERIFY_URL = "http://x/verify/CN-2025-000123/"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no poppler pdftoppm")
def test_the_stamp_qr_code_has_exactly_the_modules_of_the_verify_url(tmp_path):
    # given

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    from signing.render.stamp import QR_SIDE, QR_X, QR_Y, STAMP_HEIGHT

    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(VERIFY_URL)
    code.make(fit=True)
    expected = code.get_matrix()

    # when the stamp is rasterised
    path = tmp_path / "stamp.pdf"
    path.write_bytes(
        render_seal_stamp(reference="CN-1", sealed_at=datetime.now(UTC), verify_url=VERIFY_URL)
    )
    subprocess.run(["pdftoppm", "-r", "600", "-png", "-singlefile", str(path), str(tmp_path / "s")])
    image = Image.open(tmp_path / "s.png").convert("L")

    # then every module's centre is dark exactly where the QR matrix says so
    scale = image.height / STAMP_HEIGHT  # pixels per point
    side = QR_SIDE
    cell = side / len(expected)
    top = STAMP_HEIGHT - QR_Y - side  # image rows run downwards
    seen = [
        [
            image.getpixel(
                (
                    int((QR_X + (column + 0.5) * cell) * scale),
                    int((top + (row + 0.5) * cell) * scale),
                )
            )
            < 128
            for column in range(len(expected))
        ]
        for row in range(len(expected))
    ]
    assert seen == expected


def test_the_stamp_is_a_round_red_seal_with_the_name_reference_and_beijing_time(tmp_path):
    # given
    sealed_at = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 2026-12-05 07:30 in Beijing

    # when
    pdf = render_seal_stamp(
        reference="CN20261205ABCDEFGH", sealed_at=sealed_at, verify_url=VERIFY_URL
    )

    # then: the page content strokes a circle (four Bezier curves) in seal red and fills a star
    content = _content_stream(pdf)
    assert b".843137 0 .058824 RG" in content  # stroke colour #d7000f
    assert content.count(b" c\n") >= 4  # the ring's curves
    assert b"f\n" in content or b"f*\n" in content
    text = pdf_text(pdf, tmp_path, layout=False)
    for expected in ("信", "用", "承", "诺", "平", "台", "电子签章", "CN20261205ABCDEFGH"):
        assert expected in text, expected
    assert "2026-12-05 07:30:00 北京时间" in text


def _content_stream(pdf: bytes) -> bytes:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    contents = page["/Contents"]
    return contents.data if hasattr(contents, "data") else b"".join(part.data for part in contents)


def test_a_reference_outside_the_template_s_characters_is_left_to_the_whole_drawing():
    # given the template every seal shares
    from signing.render.stamp import stamp_operators, stamp_template

    template = stamp_template()
    sealed_at = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)

    # when / then: the platform's references are written from it, others are not
    assert stamp_operators(
        template, reference="CN20261205ABCDEFGH", sealed_at=sealed_at, verify_url=VERIFY_URL
    )
    assert (
        stamp_operators(template, reference="承诺-1", sealed_at=sealed_at, verify_url=VERIFY_URL)
        is None
    )
