"""Tagged PDF from reportlab's output, the structure half: the marks ``signing.render.tagging``
drew become a structure tree, and the catalogue gets what PDF/UA-1 (ISO 14289-1) asks of a
tagged document.

``tag_pdf`` gives each content mark a marked-content id (``/P <</MCID n>> BDC``), a
``StructElem`` of that role on that page, a ``ParentTree`` entry; a table's marks become the
grouping elements ``Table`` → ``TR`` → ``TH``/``TD`` (a header cell with its ``Scope``)
around the cells' paragraphs, and leave the content stream; a cell marked with ``/Content
true`` (``signing.render.table.TextTable``'s) holds its text's marked-content id itself.
The commitment, the credit report and the notice are tagged as reportlab writes them, from
the same marks (``signing.render.canvas``); the evidence sheet and the letter are still tagged
after the fact (``tag_pdf``), with their page entries inline.

The catalogue gets ``StructTreeRoot``, ``MarkInfo /Marked true``, the document's ``/Lang``,
``ViewerPreferences /DisplayDocTitle true`` and an XMP metadata packet with the document
information and the PDF/UA identification (``pdfuaid:part 1``); every page gets ``/Tabs /S``
(tab order follows the structure). All of it before anything is signed, so no signature sees
it change.

Deterministic like the rendering: the same input gives the same bytes (qpdf's deterministic
file identifier or reportlab's invariant one, XMP dates taken from the document
information), ADR 0034. An upload signed elsewhere is checked against the forms issued, not
by rendering it again (ADR 0039).
"""

from __future__ import annotations

import io
import json
import re
import zlib

import pikepdf

# Roles that group other elements and hold no content of their own.
GROUPS = (b"Table", b"TR", b"TH", b"TD")
# Every mark the renderer writes, each on a line of its own: a role opening (a header cell
# with its scope; a cell whose text is marked directly under it, with ``/Content true``), or
# the end of the innermost open one.
MARKS = re.compile(
    rb"^(?:/(H1|H2|H3|P|Artifact|Table|TR|TD) BMC"
    rb"|/(TH|TD) <<(?:/Scope /(Row|Column))? ?(/Content true)?>> BDC|EMC)$",
    re.MULTILINE,
)
_ROLES = {
    role: "/" + role.decode() for role in (b"H1", b"H2", b"H3", b"P", b"Table", b"TR", b"TH", b"TD")
}


def pdf_language(language: str) -> str:
    """The ``/Lang`` (BCP 47) of a document in ``language``, a Django code: ``zh-hans`` (the
    simplified Chinese of the mainland) is ``zh-CN``, ``en`` is ``en``."""
    return "en" if language.lower().startswith("en") else "zh-CN"


def document_language(pdf_lang: str) -> str:
    """The Django language of a PDF's ``/Lang`` (the inverse of ``pdf_language``)."""
    return "en" if pdf_lang.lower().startswith("en") else "zh-hans"


def tag_pdf(pdf: bytes, *, language: str, title_displayed: bool = True) -> bytes:
    """Give ``pdf`` (reportlab's, with role marks) its structure tree and the catalogue
    entries of PDF/UA, in ``language`` (a Django code); identical bytes in, identical bytes
    out."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        objects = _NewObjects(document)

        def tag_page(index: int, marks: _PageMarks) -> None:
            page = document.pages[index].obj
            contents = page.Contents
            for stream in list(contents) if isinstance(contents, pikepdf.Array) else [contents]:
                marked = marks.number(stream.read_bytes())
                stream.write(zlib.compress(marked), filter=pikepdf.Name.FlateDecode)
            page.StructParents = index
            page.Tabs = pikepdf.Name.S  # tab order follows the structure

        pages = ["{} {} R".format(*page.obj.objgen) for page in document.pages]
        root = _structure_tree(objects, pages, tag_page)
        objects.write()
        document.Root.StructTreeRoot = objects.get(root)
        document.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        document.Root.Lang = pikepdf.String(pdf_language(language))
        if title_displayed:
            document.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        _identify(document)
        out = io.BytesIO()
        # other streams (the embedded fonts) are copied as they are, not decoded and re-encoded
        document.save(
            out,
            deterministic_id=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
    return out.getvalue()


def _structure_tree(objects, pages: list[str], tag_page) -> str:
    """Build the structure tree of the pages (their references) in ``objects`` and return the
    tree root's reference. ``tag_page(index, marks)`` numbers a page's content marks with
    ``marks.number`` (and writes the page's own entries); each page's parent tree entry is
    inline."""
    root, top = objects.allocate(), objects.allocate()
    numbers: list = []
    kids: list[str] = []
    for index, page in enumerate(pages):
        marks = _PageMarks(objects, page, parent=top, kids=kids)
        tag_page(index, marks)
        elements = marks.elements
        numbers += [index, elements]
    objects.add({"/Type": "/StructElem", "/S": "/Document", "/P": root, "/K": kids}, top)
    objects.add(
        {
            "/Type": "/StructTreeRoot",
            "/K": [top],
            "/ParentTree": objects.add({"/Nums": numbers}),
            "/ParentTreeNextKey": len(pages),
        },
        root,
    )
    return root


class _NewObjects:
    """The structure tree's objects, written into the document at once as qpdf JSON (qpdf
    parses them in C++): a pikepdf object made from Python costs 20-40 µs, and a long
    listing has thousands of elements. Values are in qpdf's JSON form: names ``"/Name"``,
    references ``"n 0 R"``, integers, lists and dictionaries; qpdf numbers the objects again
    when it saves, so the bytes are those of the same tree made with pikepdf objects."""

    def __init__(self, document: pikepdf.Pdf) -> None:
        self.document = document
        self.next = max(item.objgen[0] for item in document.objects) + 1
        self.values: dict[str, dict] = {}

    def allocate(self) -> str:
        """A reference for an object given its value later (``add`` with ``reference``)."""
        reference = f"{self.next} 0 R"
        self.next += 1
        return reference

    def add(self, value, reference: str | None = None) -> str:
        """Add an indirect object of ``value``; return its reference."""
        reference = reference or self.allocate()
        self.values[f"obj:{reference}"] = {"value": value}
        return reference

    def write(self) -> None:
        header = {
            "jsonversion": 2,
            "pushedinheritedpageresources": False,
            "calledgetallpages": False,
            "maxobjectid": self.next - 1,
        }
        data = json.dumps({"qpdf": [header, self.values]}, separators=(",", ":"))
        self.document.update_from_qpdf_json(io.BytesIO(data.encode("ascii")))

    def get(self, reference: str) -> pikepdf.Object:
        return self.document.get_object(int(reference.split()[0]), 0)


def _identify(document: pikepdf.Pdf) -> None:
    """Write the XMP metadata: the document information (title, author, dates from the
    injected clock, never the time of tagging) and the PDF/UA-1 identification."""
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
        # /Trapped (reportlab's "False") has no XMP equivalent
        information = {key: value for key, value in document.docinfo.items() if key != "/Trapped"}
        metadata.load_from_docinfo(information)
        metadata["pdfuaid:part"] = "1"


class _PageMarks:
    """One page's content marks numbered, one structure element made per mark, in order,
    inside the table elements its table marks open; ``kids`` (the children of ``parent``)
    gets this page's top elements, ``elements`` the references of the elements holding
    marked content, by marked-content id. ``number`` is called with each of the page's
    content streams in turn.

    The marks are lines of their own that only this module writes (reportlab puts each
    literal on its own line; text is drawn as strings, never as such a line), so they are
    found in the page's content bytes without parsing every operator. A table cell whose
    text is marked directly under it (``/Content true``) is one element holding its
    marked-content id, not a cell around a paragraph: a long listing's cost is its number of
    elements. Each group's children are collected in a list and written when it ends."""

    def __init__(self, objects, page: str, *, parent: str, kids: list) -> None:
        self.objects = objects
        self.page = page
        self.elements: list[str] = []
        self.groups: list[tuple[str, dict]] = [(parent, {"/K": kids})]  # innermost last
        self.opened: list[bool] = []  # per open mark: whether it opened a grouping element

    def number(self, content: bytes) -> bytes:
        """``content`` with its marks numbered (grouping elements' marks left out)."""
        return MARKS.sub(self._numbered, content)

    def _numbered(self, match: re.Match) -> bytes:
        groups, opened, elements = self.groups, self.opened, self.elements
        role = match.group(1) or match.group(2)
        if role is None:  # EMC: a grouping element's end leaves the content with its start
            if opened.pop():
                groups.pop()
                return b""
            return b"EMC"
        if role == b"Artifact":
            opened.append(False)
            return match.group(0)
        value = {"/Type": "/StructElem", "/S": _ROLES[role], "/P": groups[-1][0]}
        value["/Pg"] = self.page
        if match.group(3):
            value["/A"] = {"/O": "/Table", "/Scope": "/" + match.group(3).decode()}
        siblings = groups[-1][1]["/K"]
        if role in GROUPS and not match.group(4):
            value["/K"] = []
            reference = self.objects.add(value)
            siblings.append(reference)
            groups.append((reference, value))
            opened.append(True)
            return b""
        mcid = len(elements)
        value["/K"] = mcid
        reference = self.objects.add(value)
        siblings.append(reference)
        elements.append(reference)
        opened.append(False)
        return b"/%s <</MCID %d>> BDC" % (role, mcid)
