"""The seal's pre-drawn stamp: its QR code opens the verification page."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from PIL import Image

from signing.render.stamp import render_seal_stamp

VERIFY_URL = "http://x/verify/CN-2025-000123/"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no poppler pdftoppm")
def test_the_stamp_qr_code_has_exactly_the_modules_of_the_verify_url(tmp_path):
    # given

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    from signing.render.stamp import STAMP_HEIGHT

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
    mm = 72 / 25.4
    side = STAMP_HEIGHT - 2 * mm
    cell = side / len(expected)
    seen = [
        [
            image.getpixel(
                (
                    int((1 * mm + (column + 0.5) * cell) * scale),
                    int((STAMP_HEIGHT - 1 * mm - side + (row + 0.5) * cell) * scale),
                )
            )
            < 128
            for column in range(len(expected))
        ]
        for row in range(len(expected))
    ]
    assert seen == expected
