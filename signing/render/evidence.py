"""The evidence certificate: a PDF listing a commitment's signatures and every event.

In the manner of an e-signature "certificate of completion": the document's SHA-256, each
signature (who, code, trusted time, verdict) and every recorded event with its time and
actor. Rendered with reportlab in the commitment's own font (``signing.render.fonts``), so Chinese
names print and the text stays extractable.

Tagged like the commitment (``signing.render.tagging``, ``signing.render.structure``): the
title ``H1``, the headings ``H2``, the tables as tables (the particulars' labels head their
rows, the listings' column headings their columns), in Chinese (``zh-CN``), the language of
most of what it prints besides its bilingual labels.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle

from directory.city import city_time_text
from signing.render.fonts import drawing_lock, font_for_text
from signing.render.glyphs import replace_undrawable
from signing.render.structure import tag_pdf
from signing.render.tagging import TaggedParagraph as Paragraph
from signing.render.tagging import TaggedTable


@dataclass(frozen=True)
class EvidenceLine:
    """One event: when, who, what, and a detail."""

    at: datetime
    actor: str
    what: str
    detail: str = ""


@dataclass(frozen=True)
class EvidenceCertificate:
    """Everything printed on an evidence certificate, already as display strings."""

    reference: str
    title: str
    subject_name: str
    status: str
    document_sha256: str
    signatures: tuple[tuple[str, str, str, str], ...]  # (signer, code, time, verdict)
    lines: tuple[EvidenceLine, ...]
    generated_at: datetime
    verify_url: str


def _time(value: datetime) -> str:
    """A moment on the city's clock, named in both of the certificate's languages."""
    return f"{city_time_text(value, seconds=True)} 北京时间 Beijing time"


def _drawable(certificate: EvidenceCertificate) -> EvidenceCertificate:
    """The certificate with every character no font draws written as its code point."""
    return dataclasses.replace(
        certificate,
        title=replace_undrawable(certificate.title),
        subject_name=replace_undrawable(certificate.subject_name),
        status=replace_undrawable(certificate.status),
        signatures=tuple(
            tuple(replace_undrawable(part) for part in row) for row in certificate.signatures
        ),
        lines=tuple(
            dataclasses.replace(
                line,
                actor=replace_undrawable(line.actor),
                what=replace_undrawable(line.what),
                detail=replace_undrawable(line.detail),
            )
            for line in certificate.lines
        ),
    )


def render_evidence_certificate(certificate: EvidenceCertificate) -> bytes:
    """Render ``certificate`` to PDF bytes (A4)."""
    certificate = _drawable(certificate)
    texts = [
        certificate.reference,
        certificate.title,
        certificate.subject_name,
        certificate.status,
        "证据证书 Evidence certificate",
        *(part for row in certificate.signatures for part in row),
        *(f"{line.actor}{line.what}{line.detail}" for line in certificate.lines),
    ]
    font = font_for_text("".join(texts))
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontSize=11, leading=16, spaceBefore=8)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(rows: list[list[str]], widths: list[float], *, header: bool = True) -> TaggedTable:
        """A listing under its column headings, or (no ``header``) labelled rows."""
        data = [[p(cell) for cell in row] for row in rows]
        result = TaggedTable(data, colWidths=widths, repeatRows=1 if header else 0)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ]
            )
        )
        return result

    story = [
        p("证据证书 Evidence certificate", title),
        table(
            [
                ["Reference 编号", certificate.reference],
                ["Commitment 承诺", certificate.title],
                ["Committing party 承诺主体", certificate.subject_name],
                ["Current status 当前状态", certificate.status],
                ["Signed document SHA-256", certificate.document_sha256 or "-"],
                ["Verify online 在线核验", certificate.verify_url],
                ["Generated 生成时间", _time(certificate.generated_at)],
            ],
            [50 * mm, 120 * mm],
            header=False,
        ),
        p("Signatures 签名", heading),
        table(
            [["Signer 签署人", "Code 代码", "Trusted time 可信时间", "Verdict 结论"]]
            + [list(row) for row in certificate.signatures],
            [60 * mm, 45 * mm, 45 * mm, 20 * mm],
        ),
        p("Events 事件", heading),
        table(
            [["Time 时间", "Actor 操作人", "Event 事件", "Detail 说明"]]
            + [[_time(line.at), line.actor, line.what, line.detail] for line in certificate.lines],
            [40 * mm, 30 * mm, 45 * mm, 55 * mm],
        ),
        Spacer(1, 4 * mm),
        p(
            "This certificate summarises the platform's records. The signed PDF itself carries "
            "the signatures, trusted timestamps and validation data, and each register event "
            "can be proven with its receipt against a signed checkpoint."
        ),
    ]
    buffer = io.BytesIO()
    with drawing_lock:
        SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=20 * mm,
            bottomMargin=20 * mm,
            title=f"Evidence certificate {certificate.reference}",
            author="Chengnuo",
            creator="Chengnuo",
            producer="Chengnuo",
            subject=certificate.reference,
        ).build(story)
    return tag_pdf(buffer.getvalue(), language="zh-hans")
