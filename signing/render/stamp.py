"""The platform seal's visible stamp, pre-drawn with reportlab as a tiny one-page PDF.

pyHanko's own text stamp with a CJK font costs 180 ms-1.1 s; drawing the stamp here and
attaching it as the seal's static appearance costs a few milliseconds. The stamp shows the
commitment reference, the sealing time (UTC+8, the city's time) and a QR code that opens
the public verification page.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from signing.render.fonts import drawing_lock, stamp_font_name

STAMP_WIDTH = 80 * mm
STAMP_HEIGHT = 17 * mm
CITY_TIME = timezone(timedelta(hours=8), "CST")


def render_seal_stamp(*, reference: str, sealed_at: datetime, verify_url: str) -> bytes:
    """Draw the stamp (80 x 17 mm): a QR code of ``verify_url`` and three lines of text."""
    buffer = io.BytesIO()
    with drawing_lock:
        canvas = Canvas(buffer, pagesize=(STAMP_WIDTH, STAMP_HEIGHT), invariant=1)
        canvas.setStrokeColor(colors.HexColor("#b22222"))
        canvas.setLineWidth(0.8)
        canvas.roundRect(0.5, 0.5, STAMP_WIDTH - 1, STAMP_HEIGHT - 1, 2 * mm, stroke=1, fill=0)
        side = STAMP_HEIGHT - 2 * mm
        _draw_qr(canvas, verify_url, x=1 * mm, y=1 * mm, side=side)
        font = stamp_font_name()
        text_x = side + 3 * mm
        canvas.setFillColor(colors.HexColor("#b22222"))
        canvas.setFont(font, 8)
        canvas.drawString(text_x, STAMP_HEIGHT - 5 * mm, "承诺平台电子签章 Platform seal")
        canvas.setFillColor(colors.black)
        canvas.setFont(font, 7)
        canvas.drawString(text_x, STAMP_HEIGHT - 9.5 * mm, reference)
        local = sealed_at.astimezone(CITY_TIME).strftime("%Y-%m-%d %H:%M:%S UTC+8")
        canvas.drawString(text_x, STAMP_HEIGHT - 13.5 * mm, local)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


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
