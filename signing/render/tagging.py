"""Tagged PDF from reportlab's output: a structure tree (headings and paragraphs in reading
order, the page furniture as artifacts) so screen readers and reflow read the document.

reportlab's open-source edition writes no structure tree. The renderer therefore marks its
content as it draws (``TaggedParagraph`` wraps each paragraph in ``/H1 BMC … EMC``, ``/P BMC
… EMC``; the footer and watermark are ``/Artifact BMC … EMC``; ``TaggedTable`` wraps the
table, each row and each cell in ``/Table``, ``/TR``, ``/TH`` or ``/TD`` marks and its rules
and backgrounds in ``/Artifact``), and ``tag_pdf`` turns those marks into a real structure
with pikepdf (qpdf) before anything is signed: each content mark gets a marked-content id
(``/P <</MCID n>> BDC``), a ``StructElem`` of that role on that page, a ``ParentTree`` entry
and the catalogue's ``MarkInfo``/``StructTreeRoot``; a table's marks become the grouping
elements ``Table`` → ``TR`` → ``TH``/``TD`` (a header cell with its ``Scope``) around the
cells' paragraphs, and leave the content stream.

Deterministic like the rendering: the same input gives the same bytes (qpdf's deterministic
file identifier), so a signed PDF can still be checked by rendering it again (ADR 0034).
"""

from __future__ import annotations

import io
import re
import zlib

import pikepdf
from reportlab.platypus import Paragraph, Table

# Paragraph style name → structure role.
ROLES = {"title": "H1", "heading": "H2", "subheading": "H3"}
ARTIFACT = "/Artifact"
# Roles that group other elements and hold no content of their own.
GROUPS = (b"Table", b"TR", b"TH", b"TD")
# Every mark the renderer writes, each on a line of its own: a role opening (a header cell
# with its scope), or the end of the innermost open one.
_MARK = re.compile(
    rb"^(?:/(H1|H2|H3|P|Artifact|Table|TR|TD) BMC|/(TH) <</Scope /(Row|Column)>> BDC|EMC)$",
    re.MULTILINE,
)


class TaggedParagraph(Paragraph):
    """A paragraph drawn inside a marked-content sequence named by its role (from its style:
    ``title`` H1, ``heading`` H2, ``subheading`` H3, anything else P). Split paragraphs keep
    the class, so each part is marked on its page."""

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - reportlab's name
        canvas.addLiteral(f"/{ROLES.get(self.style.name, 'P')} BMC")
        super().drawOn(canvas, x, y, _sW)
        canvas.addLiteral("EMC")


class TaggedTable(Table):
    """A table drawn inside ``/Table`` marks, each row in ``/TR`` and each cell in ``/TH`` (the
    repeated header rows, scope Column; the first column, the labels, scope Row) or ``/TD``;
    its backgrounds and rules are artifacts. A split table's parts keep the marks (reportlab
    hands the render callback on), so each part is a table on its page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("renderCB", _mark_table)  # a split part is handed its parent's
        super().__init__(*args, **kwargs)


def _mark_table(table: Table, event: str, *args) -> None:
    canvas = table.canv
    if event == "startTable":
        canvas.addLiteral("/Table BMC")
    elif event in ("startBG", "startLines"):
        artifact_begin(canvas)
    elif event == "startRow":
        canvas.addLiteral("/TR BMC")
    elif event == "startCell":
        row, column = args[0], args[1]
        if row < table.repeatRows:
            canvas.addLiteral("/TH <</Scope /Column>> BDC")
        elif column == 0:
            canvas.addLiteral("/TH <</Scope /Row>> BDC")
        else:
            canvas.addLiteral("/TD BMC")
    elif event in ("endBG", "endLines", "endRow", "endCell", "endTable"):
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
    """Number the page's content marks and make one structure element per mark, in order,
    inside the table elements its table marks open.

    The marks are lines of their own that only this module writes (reportlab puts each
    literal on its own line; text is drawn as strings, never as such a line), so they are
    found in the page's content bytes without parsing every operator."""
    elements = []  # the elements holding marked content, by marked-content id
    parents = [parent]  # the innermost open grouping element last
    opened: list[bool] = []  # per open mark: whether it opened a grouping element

    def numbered(match: re.Match) -> bytes:
        role = match.group(1) or match.group(2)
        if role is None:  # EMC: a grouping element's end leaves the content with its start
            if opened.pop():
                parents.pop()
                return b""
            return b"EMC"
        if role == b"Artifact":
            opened.append(False)
            return match.group(0)
        element = pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem,
            S=pikepdf.Name("/" + role.decode()),
            P=parents[-1],
            Pg=page.obj,
        )
        if role in GROUPS:
            element.K = pikepdf.Array()
            if match.group(3):
                element.A = pikepdf.Dictionary(
                    O=pikepdf.Name.Table, Scope=pikepdf.Name("/" + match.group(3).decode())
                )
            element = document.make_indirect(element)
            parents[-1].K.append(element)
            parents.append(element)
            opened.append(True)
            return b""
        mcid = len(elements)
        element.K = mcid
        element = document.make_indirect(element)
        parents[-1].K.append(element)
        elements.append(element)
        opened.append(False)
        return b"/%s <</MCID %d>> BDC" % (role, mcid)

    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    for stream in streams:
        marked = _MARK.sub(numbered, stream.read_bytes())
        stream.write(zlib.compress(marked), filter=pikepdf.Name.FlateDecode)
    return elements
