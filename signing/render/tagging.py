"""Tagged PDF from reportlab's output: a structure tree (headings and paragraphs in reading
order, the page furniture as artifacts) so screen readers and reflow read the document.

reportlab's open-source edition writes no structure tree. The renderer therefore marks its
content as it draws (``TaggedParagraph`` wraps each paragraph in ``/H1 BMC … EMC``, ``/P BMC
… EMC``; the footer and watermark are ``/Artifact BMC … EMC``), and ``tag_pdf`` turns those
marks into a real structure with pikepdf (qpdf) before anything is signed: each mark gets a
marked-content id (``/P <</MCID n>> BDC``), a ``StructElem`` of that role on that page, a
``ParentTree`` entry and the catalogue's ``MarkInfo``/``StructTreeRoot``. Drawing without a
mark (table rules, backgrounds) stays out of the tree.

Deterministic like the rendering: the same input gives the same bytes (qpdf's deterministic
file identifier), so a signed PDF can still be checked by rendering it again (ADR 0034).
"""

from __future__ import annotations

import io
import re
import zlib

import pikepdf
from reportlab.platypus import Paragraph

# Paragraph style name → structure role.
ROLES = {"title": "H1", "heading": "H2", "subheading": "H3"}
ARTIFACT = "/Artifact"
_MARK = re.compile(rb"^/(H1|H2|H3|P) BMC$", re.MULTILINE)


class TaggedParagraph(Paragraph):
    """A paragraph drawn inside a marked-content sequence named by its role (from its style:
    ``title`` H1, ``heading`` H2, ``subheading`` H3, anything else P). Split paragraphs keep
    the class, so each part is marked on its page."""

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - reportlab's name
        canvas.addLiteral(f"/{ROLES.get(self.style.name, 'P')} BMC")
        super().drawOn(canvas, x, y, _sW)
        canvas.addLiteral("EMC")


def artifact_begin(canvas) -> None:
    """Start page furniture (footer, watermark): not part of the structure."""
    canvas.addLiteral(f"{ARTIFACT} BMC")


def artifact_end(canvas) -> None:
    canvas.addLiteral("EMC")


def tag_pdf(pdf: bytes, *, title_displayed: bool = True) -> bytes:
    """Give ``pdf`` (reportlab's, with role marks) its structure tree; identical bytes in,
    identical bytes out."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array())
        )
        top = document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root, K=pikepdf.Array()
            )
        )
        root.K.append(top)
        numbers = pikepdf.Array()
        for index, page in enumerate(document.pages):
            elements = _tag_page(document, page, parent=top)
            page.obj.StructParents = index
            numbers.extend([index, pikepdf.Array(elements)])
        root.ParentTree = document.make_indirect(pikepdf.Dictionary(Nums=numbers))
        root.ParentTreeNextKey = len(document.pages)
        document.Root.StructTreeRoot = root
        document.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        if title_displayed:
            document.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        out = io.BytesIO()
        # other streams (the embedded fonts) are copied as they are, not decoded and re-encoded
        document.save(
            out, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none
        )
    return out.getvalue()


def _tag_page(document: pikepdf.Pdf, page: pikepdf.Page, *, parent) -> list:
    """Number the page's role marks and make one structure element per mark, in order.

    The marks are lines of their own that only ``TaggedParagraph`` writes (reportlab puts
    each literal on its own line; text is drawn as strings, never as such a line), so they
    are found in the page's content bytes without parsing every operator."""
    elements = []

    def numbered(match: re.Match) -> bytes:
        mcid = len(elements)
        element = document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem,
                S=pikepdf.Name("/" + match.group(1).decode()),
                P=parent,
                Pg=page.obj,
                K=mcid,
            )
        )
        parent.K.append(element)
        elements.append(element)
        return b"/%s <</MCID %d>> BDC" % (match.group(1), mcid)

    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    for stream in streams:
        marked = _MARK.sub(numbered, stream.read_bytes())
        stream.write(zlib.compress(marked), filter=pikepdf.Name.FlateDecode)
    return elements
