"""Render a commitment as a PDF with reportlab, Chinese text in an embedded font.

Rendering is deterministic (reportlab's ``invariant`` mode, no clock of its own): the
same ``CommitmentDocument`` gives byte-identical output. An upload signed elsewhere is
checked against the forms issued (ADR 0039), not against a render made again, so the bytes
may change between releases; within one they never depend on when or where it runs. The document's
creation and modification dates are the ``created_at`` the caller passes (the moment of
signing, or the day a form to sign elsewhere is rendered for): an injected clock, so the
metadata tells the truth and tests still get identical bytes.

The signature block names the signatory, the company and its code, the time of signing in
China Standard Time and the one-off certificate (``SignatureBlock``); a preview carries a
diagonal 样稿 (DRAFT) watermark on every page. The first page leaves room at the top right
for the platform's round seal (``signing.pades.fields.SEAL_BOX``), drawn when it seals.

Fonts come from ``signing.render.fonts``: the shipped subset, or a full system font
when a character is outside it. What is the same in every document is prepared once per
process: the fonts' tables (``signing.render.subset``), the paragraph styles and each
paragraph's parsed markup (``_parsed``); the bytes stay those reportlab writes without.

The PDF is tagged (``signing.render.tagging``, ``signing.render.structure``): headings,
paragraphs and tables in reading order in a structure tree, the footer and watermark as
artifacts, with the catalogue entries of PDF/UA-1 (language, title, tab order, XMP
identification). It is tagged as reportlab writes it (``tagged_canvas``), as the credit
report is, not parsed and written again by qpdf afterwards.

Headings come from a small table keyed by language, not from Django's gettext, so the
output never depends on the language of the request that happens to render it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from directory.city import city_now, city_time_text
from signing.errors import InvalidDocument
from signing.render.canvas import tagged_canvas
from signing.render.fonts import drawing_lock, font_for_text
from signing.render.table import TextTable
from signing.render.tagging import TaggedParagraph, artifact_begin, artifact_end

PRODUCER = "Chengnuo"
# Room above the title on the first page for the platform seal's stamp (SEAL_BOX).
SEAL_ROOM = 17 * mm
WATERMARK_COLOUR = colors.HexColor("#e8b4b4")
MARGIN = 20 * mm
FRAME_PADDING = 6  # reportlab's frame keeps 6 pt on each side of its text
TEXT_WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
LABEL_WIDTH = 55 * mm
LABEL_COLOUR = colors.HexColor("#f2f2f2")
HEADER_COLOUR = colors.HexColor("#e6e6e6")
# Paragraphs parsed kept per process (``_parsed``): the headings of both languages and the
# notices of the templates in use, with room for the texts seen once.
PARSED_PARAGRAPHS = 512

LABELS: dict[str, dict[str, str]] = {
    "zh-hans": {
        "reference": "编号",
        "template": "文本",
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
        "signed_by": "签署人",
        "signed_at": "签署时间",
        "signed_at_elsewhere": "以本文件内嵌电子签名的时间为准",
        "not_signed": "尚未签署（样稿）",
        "certificate": "签名证书",
        "certificate_text": "持有者：{subject}\n序列号：{serial}\n颁发者：{issuer}",
        "beijing_time": "北京时间",
        "signature": "签名",
        "signature_note": "本承诺书以电子签名方式签署，签名信息嵌入于本文件。",
        "watermark": "样稿",
        "page": "第 {number} 页",
        "none": "无",
        "part_who": "一、承诺主体",
        "part_matter": "二、承诺事项及依据",
        "part_what": "三、承诺内容",
        "part_consequences": "四、接受核查及失信后果",
        "part_signature": "五、签署",
        "consequence": "未按期补正的后果",
    },
    "en": {
        "reference": "Reference",
        "template": "Form",
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
        "signed_by": "Signed by",
        "signed_at": "Time of signing",
        "signed_at_elsewhere": "As recorded in the electronic signature embedded in this file",
        "not_signed": "Not signed (draft preview)",
        "certificate": "Signing certificate",
        "certificate_text": "Holder: {subject}\nSerial number: {serial}\nIssuer: {issuer}",
        "beijing_time": "Beijing time",
        "signature": "Signature",
        "signature_note": "This commitment is signed electronically; the signature is embedded"
        " in this file.",
        "watermark": "DRAFT",
        "page": "Page {number}",
        "none": "None",
        "part_who": "1. Who commits",
        "part_matter": "2. Matter and legal basis",
        "part_what": "3. What is committed",
        "part_consequences": "4. Verification and the consequences of a breach",
        "part_signature": "5. Signature and date",
        "consequence": "If an item is not supplied in time",
    },
}


@dataclass(frozen=True)
class SignatureBlock:
    """Who signs, for which company, when, and with which certificate.

    ``signed_at`` is None for a form to be signed elsewhere: the time is then the one in the
    embedded signature. The certificate lines are empty when the certificate is not the
    platform's to know before signing (a signature made with the applicant's own key).
    """

    signatory: str  # the person who signs
    company: str
    company_code: str  # unified social credit code (or identity number)
    signed_at: datetime | None = None
    certificate_subject: str = ""
    certificate_serial: str = ""
    certificate_issuer: str = ""


@dataclass(frozen=True)
class CommitmentDocument:
    """Everything printed on a commitment, already resolved to display strings."""

    reference: str
    title: str
    template_label: str  # the form's human title and version, e.g. "食品经营许可承诺书 第 1 版"
    subject_name: str
    subject_code: str
    matter: str
    # (heading, text) sections of the statutory notice, in this order: legal basis;
    # conditions, proof no longer required; liability, verification, publicity (and more).
    # The letter (GB/T 46277-2025) prints the first under the matter, the next two under what
    # is committed, and the rest under verification and consequences.
    notice: tuple[tuple[str, str], ...]
    commitment_text: str
    fields: tuple[tuple[str, str], ...]  # (label, value)
    obligations: tuple[tuple[str, str], ...]  # (title, due-date text)
    language: str = "zh-hans"  # labels of the fixed headings: "zh-hans" or "en"
    particulars: tuple[tuple[str, str], ...] = ()  # (label, value) after the matter
    signature: SignatureBlock | None = None
    is_preview: bool = False  # a draft shown for reading: 样稿 watermark
    created_at: datetime | None = None  # the PDF's CreationDate/ModDate (None: 2000-01-01)
    consequence: str = ""  # accept now, supply later: what the approval suffers if not supplied


@dataclass(frozen=True)
class _Styles:
    """Paragraph styles for one font; built once per font and reused."""

    title: ParagraphStyle
    meta: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle


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
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{document.title} {document.reference}",
        author=document.subject_name,
        subject=f"{document.matter} {document.reference}",
        creator=PRODUCER,
        producer=PRODUCER,
        keywords=[],
        invariant=1,
        pageCompression=1,  # fonts; the tagging canvas compresses each page's content
    )

    def draw_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        if document.created_at is not None:
            canvas.setDateFormatter(_pdf_date(document.created_at))
        artifact_begin(canvas)  # page furniture: not in the structure tree
        if document.is_preview:
            _draw_watermark(canvas, font_name, labels["watermark"])
        canvas.saveState()
        canvas.setFont(font_name, 8)
        canvas.setFillColor(colors.grey)
        page = labels["page"].format(number=doc.page)
        canvas.drawString(20 * mm, 12 * mm, document.reference)
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, page)
        canvas.restoreState()
        artifact_end(canvas)

    with drawing_lock:
        template.build(
            _story(document, labels, styles),
            onFirstPage=draw_footer,
            onLaterPages=draw_footer,
            canvasmaker=tagged_canvas(document.language),
        )
    return buffer.getvalue()


def _pdf_date(moment: datetime):  # type: ignore[no-untyped-def]
    """Return a reportlab date formatter writing ``moment`` (China Standard Time)."""
    text = city_now(moment).strftime("D:%Y%m%d%H%M%S+08'00'")
    return lambda *_ignored: text


def _draw_watermark(canvas: Canvas, font_name: str, text: str) -> None:
    """Draw the preview's watermark diagonally across the page, beneath the text."""
    canvas.saveState()
    canvas.setFillColor(WATERMARK_COLOUR)
    canvas.setFont(font_name, 120 if len(text) <= 2 else 90)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -40, text)
    canvas.restoreState()


def _signature_rows(document: CommitmentDocument, labels: dict[str, str]) -> list[tuple[str, str]]:
    """The signature block's rows: what is known when the document is drawn."""
    block = document.signature
    if block is None:
        return [
            (labels["signatory"], document.subject_name),
            (labels["subject_code"], document.subject_code),
            (labels["signed_at"], labels["not_signed"] if document.is_preview else ""),
            (labels["signature"], labels["signature_note"]),
        ]
    rows = []
    if block.signatory:
        rows.append((labels["signed_by"], block.signatory))
    rows += [
        (labels["signatory"], block.company),
        (labels["subject_code"], block.company_code),
    ]
    if block.signed_at is None:
        rows.append((labels["signed_at"], labels["signed_at_elsewhere"]))
    else:
        rows.append(
            (labels["signed_at"], f"{city_time_text(block.signed_at)} {labels['beijing_time']}")
        )
    if block.certificate_serial:
        rows.append(
            (
                labels["certificate"],
                labels["certificate_text"].format(
                    subject=block.certificate_subject,
                    serial=block.certificate_serial,
                    issuer=block.certificate_issuer,
                ),
            )
        )
    rows.append((labels["signature"], labels["signature_note"]))
    return rows


def _story(document: CommitmentDocument, labels: dict[str, str], styles: _Styles) -> list[Flowable]:
    """Lay out the commitment as the standard's model letter (GB/T 46277-2025): who commits;
    the matter and its legal basis; what is committed (conditions, materials true,
    obligations and deadlines); acceptance of verification and the consequences of a breach
    (liability, credit record, publicity and its period); signature and date."""
    basis, committed, consequences = (
        document.notice[:1],
        document.notice[1:3],
        document.notice[3:],
    )
    if document.consequence:
        consequences = (*consequences, (labels["consequence"], document.consequence))

    def sections(pairs) -> list[Flowable]:
        flowables: list[Flowable] = []
        for heading, text in pairs:
            flowables.append(_paragraph(_markup(heading), styles.subheading))
            flowables.append(_paragraph(_markup(text), styles.body))
        return flowables

    story: list[Flowable] = [
        Spacer(1, SEAL_ROOM),
        _paragraph(_markup(document.title), styles.title),
        _paragraph(
            f"{_markup(labels['reference'])}: {_markup(document.reference)}"
            f"&nbsp;&nbsp;&nbsp;{_markup(labels['template'])}: {_markup(document.template_label)}",
            styles.meta,
        ),
        Spacer(1, 4 * mm),
        _paragraph(_markup(labels["part_who"]), styles.heading),
        _table(
            (
                (labels["subject_name"], document.subject_name),
                (labels["subject_code"], document.subject_code),
            ),
            styles=styles,
            header=None,
        ),
        _paragraph(_markup(labels["part_matter"]), styles.heading),
        _table(
            ((labels["matter"], document.matter), *document.particulars), styles=styles, header=None
        ),
        *sections(basis),
        _paragraph(_markup(labels["part_what"]), styles.heading),
        *sections(committed),
        _paragraph(_markup(labels["commitment"]), styles.subheading),
        _paragraph(_markup(document.commitment_text), styles.body),
        _paragraph(_markup(labels["fields"]), styles.subheading),
        _table(document.fields, styles=styles, header=None, empty=labels["none"]),
        _paragraph(_markup(labels["obligations"]), styles.subheading),
        _table(
            document.obligations,
            styles=styles,
            header=(labels["obligation"], labels["due"]),
            empty=labels["none"],
        ),
        _paragraph(_markup(labels["part_consequences"]), styles.heading),
        *sections(consequences),
        Spacer(1, 8 * mm),
        KeepTogether(
            [
                _paragraph(_markup(labels["part_signature"]), styles.heading),
                _paragraph(_markup(labels["signatory"]), styles.subheading),
                _table(
                    [row for row in _signature_rows(document, labels) if row[1]],
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
    """Return a two-column bordered table of wrapped text (or ``empty`` if no rows): the
    labels on grey heading their rows, a header row heading its columns.

    Plain-text cells (``TextTable``): each cell is broken into lines once, with widths from a
    per-font table, instead of a ``Paragraph`` laid out by the CJK breaker for the table's
    height and again to draw it."""
    if not rows:
        return _paragraph(_markup(empty), styles.body)
    data = [list(header)] if header is not None else []
    data += [[left, right] for left, right in rows]
    return TextTable(
        data,
        [LABEL_WIDTH, TEXT_WIDTH - LABEL_WIDTH],
        font_name=styles.cell.fontName,
        font_size=styles.cell.fontSize,
        leading=styles.cell.leading,
        header_rows=1 if header is not None else 0,
        header_background=HEADER_COLOUR if header is not None else None,
        label_background=LABEL_COLOUR,
        row_headers=True,
    )


def _paragraph(markup: str, style: ParagraphStyle) -> TaggedParagraph:
    """A tagged paragraph of ``markup``, parsed once per process per style (``_parsed``)."""
    text, parsed_style, frags = _parsed(markup, style)
    return TaggedParagraph(text, parsed_style, frags=list(frags))


@lru_cache(maxsize=PARSED_PARAGRAPHS)
def _parsed(markup: str, style: ParagraphStyle) -> tuple[str, ParagraphStyle, tuple]:
    """What reportlab's ``Paragraph`` makes of ``markup`` before laying it out: its text,
    style and fragments (reportlab's markup parser, about 30 µs a paragraph). The headings
    are the same in every commitment, a template's notice in all of its commitments. Laying
    out and splitting a paragraph does not change its fragments (reportlab works on clones
    of them), so the paragraphs of the same markup and style share them; a test compares
    the bytes with reportlab parsing each paragraph itself."""
    paragraph = Paragraph(markup, style)
    return paragraph.text, paragraph.style, tuple(paragraph.frags)


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
        document.consequence,
        *labels.values(),
    ]
    if document.signature is not None:
        block = document.signature
        parts += [
            block.signatory,
            block.company,
            block.company_code,
            block.certificate_subject,
            block.certificate_serial,
            block.certificate_issuer,
        ]
    for pair in (*document.notice, *document.fields, *document.obligations, *document.particulars):
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
        # the tables' text (``TextTable``)
        cell=ParagraphStyle("cell", parent=body, fontSize=10, leading=14, spaceAfter=0),
    )
    _styles[font_name] = styles
    return styles
