"""A plain authorisation letter PDF: what the demo and the tests upload for an officer's review.

Real letters are drawn up, stamped and scanned by the company; this one only carries the
words an officer reads (ASCII, the standard Helvetica font, so no font subset is shared).
Tagged like the platform's own documents: the first line a heading (``H1``), the others
paragraphs, in English, with the catalogue entries of PDF/UA-1 (``signing.render.structure``).
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from signing.render.structure import tag_pdf
from signing.render.tagging import role_begin, role_end

TITLE = "Letter of authorisation"


def render_authorisation_letter(*, code: str, representative: str, role: str) -> bytes:
    """Return a one-page PDF in which the subject ``code`` authorises ``representative``."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle(f"{TITLE} {code}")
    page.setFont("Helvetica", 12)
    lines = [
        TITLE,
        f"Unified social credit code: {code}",
        f"Authorised person (platform account): {representative}",
        f"Role: {role}",
        "Stamped with the company seal.",
    ]
    for number, line in enumerate(lines):
        role_begin(page, "H1" if number == 0 else "P")
        page.drawString(72, 770 - 24 * number, line)
        role_end(page)
    page.showPage()
    page.save()
    return tag_pdf(buffer.getvalue(), language="en")
