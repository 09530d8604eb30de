"""The platform seal's visible stamp, pre-drawn with reportlab as a tiny one-page PDF.

pyHanko's own text stamp with a CJK font costs 180 ms-1.1 s; drawing the stamp here and
attaching it as the seal's static appearance costs a few milliseconds. The stamp is what
people expect of an official seal: a round red seal (a ring, a five-pointed star, the
platform's name along the upper arc, 电子签章 and the commitment reference beneath the
star), beside a QR code that opens the public verification page and the sealing time in
China Standard Time.

Most of the stamp is the same on every seal: the round seal's ring, star, name and kind, and
the "scan to verify" caption. ``stamp_template`` draws that part once per process, with every
character the rest may use already in its font subset, and ``stamp_operators`` writes the rest
(the QR code, the reference twice, the sealing time) as content operators in that subset: the
seal then imports one small drawing instead of drawing, saving and parsing a PDF per seal.
``render_seal_stamp`` draws the whole stamp the slow way, for a reference or time outside
those characters (never, for the platform's own references).
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from datetime import datetime

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
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
TIME_SUFFIX = " 北京时间"
# What ``stamp_operators`` can write: printable ASCII (references, times) and the time's suffix.
OPERATOR_CHARACTERS = "".join(map(chr, range(32, 127))) + TIME_SUFFIX


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
        canvas.drawString(QR_X, 2.5 * mm, _time_text(sealed_at))
        _draw_caption(canvas, font)
        _draw_round_seal(canvas, font)
        _draw_seal_reference(canvas, font, reference)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class StampTemplate:
    """The part of the stamp every seal shares, drawn once, and how to write the rest.

    ``pdf`` is one page: the caption and the round seal without its reference, in a font
    subset that also holds ``OPERATOR_CHARACTERS`` (resource ``font``; ``codes`` maps each
    character to its code in it).
    """

    pdf: bytes
    font: str
    codes: dict[str, int]


_template: list[StampTemplate] = []
_template_lock = threading.Lock()


def stamp_template() -> StampTemplate:
    """Return this process's stamp template (drawn on first use)."""
    if not _template:
        with _template_lock:
            if not _template:
                _template.append(_draw_template())
    return _template[0]


def _draw_template() -> StampTemplate:
    buffer = io.BytesIO()
    with drawing_lock:
        canvas = Canvas(buffer, pagesize=(STAMP_WIDTH, STAMP_HEIGHT), invariant=1)
        name = stamp_font_name()
        font = pdfmetrics.getFont(name)
        codes = {}
        for character in OPERATOR_CHARACTERS:  # into the subset now, drawn or not
            ((subset, code),) = font.splitString(character, canvas._doc)
            if subset != 0:
                raise ValueError("The stamp's characters do not fit in one font subset.")
            codes[character] = code[0]
        resource = font.getSubsetInternalName(0, canvas._doc).lstrip("/")
        canvas.setFillColor(colors.black)
        _draw_caption(canvas, name)
        _draw_round_seal(canvas, name)
        canvas.showPage()
        canvas.save()
    return StampTemplate(pdf=buffer.getvalue(), font=resource, codes=codes)


def stamp_operators(
    template: StampTemplate, *, reference: str, sealed_at: datetime, verify_url: str
) -> tuple[bytes, bytes] | None:
    """The content operators of what differs between seals, drawn as ``render_seal_stamp``
    draws it: (before the template's drawing: the QR code, the reference and the sealing
    time; after it: the reference inside the round seal). None when a character of the
    reference or the time is not in the template's font subset."""
    time_text = _time_text(sealed_at)
    if any(character not in template.codes for character in reference + time_text):
        return None
    size, rectangles = _qr_rectangles(verify_url)
    cell = QR_SIDE / size
    before = (
        f"q 0 0 0 rg {fp_str(cell)} 0 0 {fp_str(cell)} {fp_str(QR_X)} {fp_str(QR_Y)} cm\n"
        f"{rectangles}\nf Q\n"
        f"q 0 0 0 rg {_text_operator(template, 5.5, QR_X, 5.5 * mm, reference)} "
        f"{_text_operator(template, 5.5, QR_X, 2.5 * mm, time_text)} Q\n"
    )
    centre_x, centre_y = SEAL_CENTRE
    size_4_2 = 4.2
    width = pdfmetrics.stringWidth(reference, stamp_font_name(), size_4_2)
    red = f"{fp_str(SEAL_RED.red)} {fp_str(SEAL_RED.green)} {fp_str(SEAL_RED.blue)} rg"
    text = _text_operator(template, size_4_2, centre_x - width / 2, centre_y - 10.5 * mm, reference)
    after = f"\nq {red} {text} Q\n"
    return before.encode("ascii"), after.encode("ascii")


def _text_operator(template: StampTemplate, size: float, x: float, y: float, text: str) -> str:
    codes = "".join(f"{template.codes[character]:02x}" for character in text)
    return (
        f"BT /{template.font} {fp_str(size)} Tf 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm <{codes}> Tj ET"
    )


def _time_text(sealed_at: datetime) -> str:
    return city_time_text(sealed_at, seconds=True) + TIME_SUFFIX


def _draw_caption(canvas: Canvas, font: str) -> None:
    """Write "scan to verify" beside the QR code, in both languages."""
    canvas.setFont(font, 5)
    canvas.drawString(QR_X + QR_SIDE + 1 * mm, QR_Y + 2 * mm, "扫码核验")
    canvas.drawString(QR_X + QR_SIDE + 1 * mm, QR_Y - 0.5 * mm, "Scan to verify")


def _draw_seal_reference(canvas: Canvas, font: str, reference: str) -> None:
    """Write the reference inside the round seal, beneath its kind."""
    centre_x, centre_y = SEAL_CENTRE
    canvas.saveState()
    canvas.setFillColor(SEAL_RED)
    canvas.setFont(font, 4.2)
    canvas.drawCentredString(centre_x, centre_y - 10.5 * mm, reference)
    canvas.restoreState()


def _draw_round_seal(canvas: Canvas, font: str) -> None:
    """Draw the round red seal: ring, star, name along the upper arc, kind."""
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
    size, rectangles = _qr_rectangles(text)
    cell = side / size
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(cell, 0, 0, cell, x, y)
    canvas.addLiteral(rectangles + "\nf")
    canvas.restoreState()


def _qr_rectangles(text: str) -> tuple[int, str]:
    """The QR code of ``text``: its size in modules, and one ``re`` per run of dark modules
    (in module units, origin bottom left)."""
    # A fixed mask (any of the eight is standard and decodable): choosing the "best" one
    # renders the symbol eight times.
    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
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
    return size, "\n".join(rectangles)
