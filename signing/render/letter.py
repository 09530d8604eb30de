"""A plain authorisation letter PDF: what the demo and the tests upload for an officer's review.

Real letters are drawn up, stamped and scanned by the company; this one only carries the
words an officer reads (ASCII, the standard Helvetica font, so no font subset is shared).
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def render_authorisation_letter(*, code: str, representative: str, role: str) -> bytes:
    """Return a one-page PDF in which the subject ``code`` authorises ``representative``."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setFont("Helvetica", 12)
    lines = [
        "Letter of authorisation",
        f"Unified social credit code: {code}",
        f"Authorised person (platform account): {representative}",
        f"Role: {role}",
        "Stamped with the company seal.",
    ]
    for number, line in enumerate(lines):
        page.drawString(72, 770 - 24 * number, line)
    page.showPage()
    page.save()
    return buffer.getvalue()
