"""Render a commitment as a PDF with reportlab, Chinese text in an embedded font.

Rendering is deterministic (reportlab's ``invariant`` mode, fixed metadata, no clock): the
same ``CommitmentDocument`` gives byte-identical output, so a signed PDF can later be
checked to be "the rendered commitment, unchanged" by rendering it again.

Fonts come from ``signing.render.fonts``: the shipped subset, or a full system font
when a character is outside it.

Headings come from a small table keyed by language, not from Django's gettext, so the
output never depends on the language of the request that happens to render it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from signing.errors import InvalidDocument
from signing.render.fonts import drawing_lock, font_for_text

PRODUCER = "Chengnuo"

LABELS: dict[str, dict[str, str]] = {
    "zh-hans": {
        "reference": "编号",
        "template": "模板",
        "subject_name": "承诺主体",
        "subject_code": "统一社会信用代码/证件号码",
        "matter": "承诺事项",
        "notice": "告知事项",
        "commitment": "承诺内容",
        "fields": "填报信息",
        "obligations": "履约义务",
        "obligation": "义务",
        "due": "履行期限",
        "signatory": "承诺人",
        "signature": "签名",
        "signature_note": "本承诺书以电子签名方式签署，签名信息嵌入于本文件。",
        "page": "第 {number} 页",
        "none": "无",
    },
    "en": {
        "reference": "Reference",
        "template": "Template",
        "subject_name": "Committing party",
        "subject_code": "Credit code / identity number",
        "matter": "Matter",
        "notice": "Notice",
        "commitment": "Commitment",
        "fields": "Particulars",
        "obligations": "Obligations",
        "obligation": "Obligation",
        "due": "Due",
        "signatory": "Signatory",
        "signature": "Signature",
        "signature_note": "This commitment is signed electronically; the signature is embedded"
        " in this file.",
        "page": "Page {number}",
        "none": "None",
    },
}


@dataclass(frozen=True)
class CommitmentDocument:
    """Everything printed on a commitment, already resolved to display strings."""

    reference: str
    title: str
    template_label: str  # e.g. "food-permit v1"
    subject_name: str
    subject_code: str
    matter: str
    notice: tuple[tuple[str, str], ...]  # (heading, text) sections of the statutory notice
    commitment_text: str
    fields: tuple[tuple[str, str], ...]  # (label, value)
    obligations: tuple[tuple[str, str], ...]  # (title, due-date text)
    language: str = "zh-hans"  # labels of the fixed headings: "zh-hans" or "en"


@dataclass(frozen=True)
class _Styles:
    """Paragraph styles for one font; built once per font and reused."""

    title: ParagraphStyle
    meta: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_label: ParagraphStyle


_styles: dict[str, _Styles] = {}


def render_commitment_pdf(document: CommitmentDocument) -> bytes:
    """Render ``document`` to PDF bytes (A4), identical bytes for an identical document."""
    labels = LABELS.get(document.language)
    if labels is None:
        raise InvalidDocument(
            f"Unsupported language {document.language!r}; expected one of {sorted(LABELS)}."
        )
    font_name = font_for_text(_document_text(document, labels))
    styles = _styles_for(font_name)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=document.title,
        author=PRODUCER,
        subject=document.reference,
        creator=PRODUCER,
        producer=PRODUCER,
        keywords=[],
        lang=document.language,
        invariant=1,
    )

    def draw_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font_name, 8)
        canvas.setFillColor(colors.grey)
        page = labels["page"].format(number=doc.page)
        canvas.drawString(20 * mm, 12 * mm, document.reference)
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, page)
        canvas.restoreState()

    with drawing_lock:
        template.build(
            _story(document, labels, styles),
            onFirstPage=draw_footer,
            onLaterPages=draw_footer,
        )
    return buffer.getvalue()


def _story(document: CommitmentDocument, labels: dict[str, str], styles: _Styles) -> list[Flowable]:
    """Lay out the commitment: title, reference, parties, notice, text, tables, signature."""
    story: list[Flowable] = [
        Paragraph(_markup(document.title), styles.title),
        Paragraph(
            f"{_markup(labels['reference'])}: {_markup(document.reference)}"
            f"&nbsp;&nbsp;&nbsp;{_markup(labels['template'])}: {_markup(document.template_label)}",
            styles.meta,
        ),
        Spacer(1, 4 * mm),
        _table(
            (
                (labels["subject_name"], document.subject_name),
                (labels["subject_code"], document.subject_code),
                (labels["matter"], document.matter),
            ),
            styles=styles,
            header=None,
        ),
        Paragraph(_markup(labels["notice"]), styles.heading),
    ]
    for heading, text in document.notice:
        story.append(Paragraph(_markup(heading), styles.subheading))
        story.append(Paragraph(_markup(text), styles.body))
    story += [
        Paragraph(_markup(labels["commitment"]), styles.heading),
        Paragraph(_markup(document.commitment_text), styles.body),
        Paragraph(_markup(labels["fields"]), styles.heading),
        _table(document.fields, styles=styles, header=None, empty=labels["none"]),
        Paragraph(_markup(labels["obligations"]), styles.heading),
        _table(
            document.obligations,
            styles=styles,
            header=(labels["obligation"], labels["due"]),
            empty=labels["none"],
        ),
        Spacer(1, 8 * mm),
        KeepTogether(
            [
                Paragraph(_markup(labels["signatory"]), styles.heading),
                _table(
                    (
                        (labels["signatory"], document.subject_name),
                        (labels["subject_code"], document.subject_code),
                        (labels["signature"], labels["signature_note"]),
                    ),
                    styles=styles,
                    header=None,
                ),
            ]
        ),
    ]
    return story


def _table(
    rows: Sequence[tuple[str, str]],
    *,
    styles: _Styles,
    header: tuple[str, str] | None,
    empty: str = "",
) -> Flowable:
    """Return a two-column bordered table of wrapped paragraphs (or ``empty`` if no rows)."""
    if not rows:
        return Paragraph(_markup(empty), styles.body)
    data: list[list[Flowable]] = []
    if header is not None:
        data.append([Paragraph(_markup(text), styles.cell_label) for text in header])
    data += [
        [Paragraph(_markup(left), styles.cell_label), Paragraph(_markup(right), styles.cell)]
        for left, right in rows
    ]
    table = Table(data, colWidths=[55 * mm, None], repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
    ]
    if header is not None:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")))
    table.setStyle(TableStyle(commands))
    return table


def _markup(text: str) -> str:
    """Escape text for reportlab's paragraph markup and keep its line breaks."""
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


def _document_text(document: CommitmentDocument, labels: dict[str, str]) -> str:
    """Concatenate every string printed, to choose a font that has all their characters."""
    parts = [
        document.reference,
        document.title,
        document.template_label,
        document.subject_name,
        document.subject_code,
        document.matter,
        document.commitment_text,
        *labels.values(),
    ]
    for pair in (*document.notice, *document.fields, *document.obligations):
        parts.extend(pair)
    return "".join(parts)


def _styles_for(font_name: str) -> _Styles:
    """Return the paragraph styles for a font, built once."""
    styles = _styles.get(font_name)
    if styles is not None:
        return styles
    body = ParagraphStyle(
        "body", fontName=font_name, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4
    )
    styles = _Styles(
        title=ParagraphStyle(
            "title",
            parent=body,
            fontSize=18,
            leading=26,
            alignment=TA_CENTER,
            spaceAfter=6,
        ),
        meta=ParagraphStyle(
            "meta", parent=body, fontSize=9, leading=13, alignment=TA_CENTER, textColor=colors.grey
        ),
        heading=ParagraphStyle(
            "heading", parent=body, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4
        ),
        subheading=ParagraphStyle(
            "subheading", parent=body, fontSize=11, leading=17, spaceBefore=4, spaceAfter=2
        ),
        body=body,
        cell=ParagraphStyle("cell", parent=body, fontSize=10, leading=14, spaceAfter=0),
        cell_label=ParagraphStyle("cell_label", parent=body, fontSize=10, leading=14, spaceAfter=0),
    )
    _styles[font_name] = styles
    return styles
