"""Sectioned documents the credit platform issues: the special credit report (专项信用报告)
and the credit repair notice (信用修复告知书).

Both are a title, a table of particulars and sections of rows (a section without rows
prints its "none" line). Rendered with reportlab in the commitment's own font, the top of the
first page left free for the platform seal's stamp (``signing.pades.fields.SEAL_BOX``), so a
report can be sealed without covering a word. Tables are plain-text ``TextTable`` flowables
(``signing.render.table``): a report's cost grows little with its number of entries. Labels
come in the caller's language; the document's kind is printed in both languages.

Tagged (``signing.render.tagging``, ``signing.render.canvas``): the title ``H1``, the
sections' headings ``H2``, the other lines ``P``, the tables as tables (the particulars'
labels head their rows, a section's column headings its columns), with the catalogue
entries of PDF/UA-1 in the document's language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from signing.render.canvas import tagged_canvas
from signing.render.fonts import drawing_lock, font_for_text
from signing.render.glyphs import replace_undrawable, undrawable_characters
from signing.render.table import TextTable
from signing.render.tagging import TaggedParagraph as Paragraph

SEAL_ROOM = 38 * mm  # the seal's box reaches 97 pt (34 mm) down from the top of page one


@dataclass(frozen=True)
class Section:
    """A heading, its column headings and its rows; ``none`` is printed when there is no row."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    none: str
    widths_mm: tuple[float, ...] = ()


@dataclass(frozen=True)
class IssuedDocument:
    """Everything printed, already as display strings in the reader's language."""

    title: str
    reference: str
    particulars: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default=())
    closing: tuple[str, ...] = ()
    language: str = "zh-hans"  # the labels' language (a Django code): the PDF's /Lang


def _texts(document: IssuedDocument) -> str:
    parts = [document.title, document.reference, *document.closing]
    parts += [part for pair in document.particulars for part in pair]
    for section in document.sections:
        parts += [section.title, section.none, *section.columns]
        parts += [cell for row in section.rows for cell in row]
    return "".join(parts)


def render_issued_document(document: IssuedDocument) -> bytes:
    """Render ``document`` to PDF bytes (A4), every undrawable character written as its code."""
    texts = _texts(document)
    # Undrawable characters are rare: when the document has none, no cell is checked again.
    clean = replace_undrawable if undrawable_characters(texts) else str
    font = font_for_text(clean(texts))
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontSize=11, leading=16, spaceBefore=8)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(clean(text)), style)

    def table(rows: list[list[str]], widths: list[float], header: bool) -> TextTable:
        """A section's listing (``header``: its column headings first) or, without a header,
        the particulars (labels heading their rows)."""
        return TextTable(
            [[clean(cell) for cell in row] for row in rows],
            widths,
            font_name=font,
            font_size=body.fontSize,
            leading=body.leading,
            header_rows=1 if header else 0,
            header_background=colors.HexColor("#e6e6e6") if header else None,
            row_headers=not header,
        )

    story = [
        p(document.title, title),
        table([list(pair) for pair in document.particulars], [50 * mm, 120 * mm], header=False),
    ]
    for section in document.sections:
        story.append(p(section.title, heading))
        if not section.rows:
            story.append(p(section.none))
            continue
        count = len(section.columns)
        widths = [w * mm for w in section.widths_mm] or [170 * mm / count] * count
        story.append(
            table([list(section.columns)] + [list(row) for row in section.rows], widths, True)
        )
    story.append(Spacer(1, 4 * mm))
    story += [p(line) for line in document.closing]
    buffer = io.BytesIO()
    with drawing_lock:
        SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=SEAL_ROOM,
            bottomMargin=20 * mm,
            title=f"{document.title} {document.reference}",
            author="Chengnuo",
            creator="Chengnuo",
            producer="Chengnuo",
            subject=document.reference,
            invariant=1,
            pageCompression=1,  # fonts; the tagging canvas compresses each page's content
        ).build(story, canvasmaker=tagged_canvas(document.language))
    return buffer.getvalue()
