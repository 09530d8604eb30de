"""The platform seal's visible stamp, pre-drawn with reportlab as a tiny one-page PDF.

pyHanko's own text stamp with a CJK font costs 180 ms-1.1 s; drawing the stamp here and
attaching it as the seal's static appearance costs a few milliseconds. The stamp is what
people expect of an official seal: a round red seal (a ring, a five-pointed star, the
platform's name along the upper arc, 电子签章 and the commitment reference beneath the
star), beside a QR code that opens the public verification page and the sealing time in
China Standard Time.
"""

from __future__ import annotations

import io
import math
from datetime import datetime

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from directory.city import city_time_text
from signing.render.fonts import drawing_lock, stamp_font_name

STAMP_WIDTH = 80 * mm
STAMP_HEIGHT = 32 * mm
SEAL_RED = colors.HexColor("#d7000f")
SEAL_NAME = "信用承诺平台"
SEAL_KIND = "电子签章"
SEAL_RADIUS = 15 * mm
SEAL_CENTRE = (STAMP_WIDTH - SEAL_RADIUS - 1 * mm, STAMP_HEIGHT / 2)
QR_SIDE = 21 * mm
QR_X = 1 * mm
QR_Y = STAMP_HEIGHT - 1 * mm - QR_SIDE


def stamp_figures() -> tuple[tuple[str, tuple[float, float, float, float]], ...]:
    """The stamp's two images and their boxes in the stamp's own coordinates (points, x1, y1,
    x2, y2, origin bottom left): the round seal (``seal``), then the QR code (``qr``) with
    its "scan to verify" caption, in reading order. The structure tree describes each as a
    ``Figure`` (``signing.pades.fields``)."""
    centre_x, centre_y = SEAL_CENTRE
    return (
        (
            "seal",
            (
                centre_x - SEAL_RADIUS,
                centre_y - SEAL_RADIUS,
                centre_x + SEAL_RADIUS,
                centre_y + SEAL_RADIUS,
            ),
        ),
        ("qr", (QR_X, QR_Y, QR_X + QR_SIDE, QR_Y + QR_SIDE)),
    )


def render_seal_stamp(*, reference: str, sealed_at: datetime, verify_url: str) -> bytes:
    """Draw the stamp (80 x 32 mm): QR code and sealing time on the left, round seal right."""
    buffer = io.BytesIO()
    with drawing_lock:
        canvas = Canvas(buffer, pagesize=(STAMP_WIDTH, STAMP_HEIGHT), invariant=1)
        font = stamp_font_name()
        _draw_qr(canvas, verify_url, x=QR_X, y=QR_Y, side=QR_SIDE)
        canvas.setFillColor(colors.black)
        canvas.setFont(font, 5.5)
        canvas.drawString(QR_X, 5.5 * mm, reference)
        canvas.drawString(QR_X, 2.5 * mm, f"{city_time_text(sealed_at, seconds=True)} 北京时间")
        canvas.setFont(font, 5)
        canvas.drawString(QR_X + QR_SIDE + 1 * mm, QR_Y + 2 * mm, "扫码核验")
        canvas.drawString(QR_X + QR_SIDE + 1 * mm, QR_Y - 0.5 * mm, "Scan to verify")
        _draw_round_seal(canvas, font, reference=reference)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _draw_round_seal(canvas: Canvas, font: str, *, reference: str) -> None:
    """Draw the round red seal: ring, star, name along the upper arc, kind and reference."""
    centre_x, centre_y = SEAL_CENTRE
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(1.6)
    canvas.circle(centre_x, centre_y, SEAL_RADIUS - 0.8, stroke=1, fill=0)
    _draw_star(canvas, centre_x, centre_y, outer=4.6 * mm)
    size = 8.5
    canvas.setFont(font, size)
    span = 150.0  # degrees of arc the name occupies, centred on the top
    text_radius = SEAL_RADIUS - 0.8 - 1.2 * mm - size
    step = span / max(len(SEAL_NAME) - 1, 1)
    for index, character in enumerate(SEAL_NAME):
        angle = 90 + span / 2 - index * step
        canvas.saveState()
        canvas.translate(centre_x, centre_y)
        canvas.rotate(angle - 90)
        canvas.drawCentredString(0, text_radius, character)
        canvas.restoreState()
    canvas.setFont(font, 6)
    canvas.drawCentredString(centre_x, centre_y - 7.5 * mm, SEAL_KIND)
    canvas.setFont(font, 4.2)
    canvas.drawCentredString(centre_x, centre_y - 10.5 * mm, reference)
    canvas.restoreState()


def _draw_star(canvas: Canvas, x: float, y: float, *, outer: float) -> None:
    """Fill a five-pointed star centred on (x, y), one point up."""
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(126))
    path = canvas.beginPath()
    for point in range(10):
        radius = outer if point % 2 == 0 else inner
        angle = math.radians(90 + point * 36)
        px, py = x + radius * math.cos(angle), y + radius * math.sin(angle)
        if point == 0:
            path.moveTo(px, py)
        else:
            path.lineTo(px, py)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_qr(canvas: Canvas, text: str, *, x: float, y: float, side: float) -> None:
    """Draw ``text`` as a QR code: one filled path, one rectangle per run of dark modules.

    Written as literal PDF operators in module units under a scaling matrix: reportlab's
    widget costs ~250 ms and one ``path.rect`` per module ~10 ms (its float formatting).
    """
    # A fixed mask (any of the eight is standard and decodable): choosing the "best" one
    # renders the symbol eight times.
    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    cell = side / size
    rectangles = []
    for row_index, row in enumerate(matrix):
        top = size - row_index - 1
        column = 0
        while column < size:
            if not row[column]:
                column += 1
                continue
            run = column
            while run < size and row[run]:
                run += 1
            rectangles.append(f"{column} {top} {run - column} 1 re")
            column = run
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(cell, 0, 0, cell, x, y)
    canvas.addLiteral("\n".join(rectangles) + "\nf")
    canvas.restoreState()
