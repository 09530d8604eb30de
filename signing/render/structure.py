"""Tagged PDF from reportlab's output, the structure half: the marks ``signing.render.tagging``
drew become a structure tree, and the catalogue gets what PDF/UA-1 (ISO 14289-1) asks of a
tagged document.

``tag_pdf`` gives each content mark a marked-content id (``/P <</MCID n>> BDC``), a
``StructElem`` of that role on that page, a ``ParentTree`` entry; a table's marks become the
grouping elements ``Table`` → ``TR`` → ``TH``/``TD`` (a header cell with its ``Scope``)
around the cells' paragraphs, and leave the content stream; a cell marked with ``/Content
true`` (``signing.render.table.TextTable``'s) holds its text's marked-content id itself.
The commitment, the credit report and the notice are tagged as reportlab writes them
(``TaggedCanvas``, ``tag_canvas``): the same marks become the same elements in reportlab's
own objects, so a document's elements are written once instead of written, parsed and written
again by qpdf; and each page's entry in the ``ParentTree`` (its elements by marked-content
id) is an indirect array of its own, so the tree itself is one short list: the seal's
revision reads and writes it again (``signing.pades.fields``) in pyHanko, whose parser is
Python, and should not parse a long listing's thousands of references to add one entry. The
evidence sheet and the letter are still tagged after the fact (``tag_pdf``), entries inline.

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
from xml.sax.saxutils import escape

import pikepdf
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

# Roles that group other elements and hold no content of their own.
GROUPS = (b"Table", b"TR", b"TH", b"TD")
# Every mark the renderer writes, each on a line of its own: a role opening (a header cell
# with its scope; a cell whose text is marked directly under it, with ``/Content true``), or
# the end of the innermost open one.
_MARK = re.compile(
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
        root = _structure_tree(objects, pages, tag_page, page_entries_indirect=False)
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


def _structure_tree(objects, pages: list[str], tag_page, *, page_entries_indirect: bool) -> str:
    """Build the structure tree of the pages (their references) in ``objects`` and return the
    tree root's reference. ``tag_page(index, marks)`` numbers a page's content marks with
    ``marks.number`` (and writes the page's own entries); ``page_entries_indirect``: each
    page's parent tree entry an indirect array (see the module)."""
    root, top = objects.allocate(), objects.allocate()
    numbers: list = []
    kids: list[str] = []
    for index, page in enumerate(pages):
        marks = _PageMarks(objects, page, parent=top, kids=kids)
        tag_page(index, marks)
        elements = marks.elements
        numbers += [index, objects.add(elements) if page_entries_indirect else elements]
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


class TaggedCanvas(Canvas):
    """A canvas that writes the structure tree with the rest of the document: its pages'
    marks become elements in reportlab's own objects when it saves (``tag_canvas``), so the
    tagged PDF is written once, not written by reportlab, parsed and written again by qpdf
    (about 13 µs per object each way, and a long listing has thousands of elements). Each
    page's parent tree entry is an indirect array of its own (see the module). Made with
    ``tagged_canvas(language)`` as a document template's ``canvasmaker``."""

    structure_language = "zh-hans"

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        tag_canvas(self, language=self.structure_language)
        super().save()


def tagged_canvas(language: str) -> type[TaggedCanvas]:
    """The ``TaggedCanvas`` of a document in ``language`` (a Django code)."""
    return type("TaggedCanvas", (TaggedCanvas,), {"structure_language": language})


def tag_canvas(canvas: Canvas, *, language: str) -> None:
    """Give the document ``canvas`` is about to write the structure tree of its pages' marks
    and the catalogue entries of PDF/UA, as ``tag_pdf`` does to a written PDF, each page's
    parent tree entry indirect. Called once every page is shown, before reportlab writes."""
    document = canvas._doc
    objects = _CanvasObjects(document)
    pages = document.Pages.pages

    def tag_page(index: int, marks: _PageMarks) -> None:
        page = pages[index]
        marked = marks.number(page.stream.encode("utf-8"))  # as reportlab encodes it
        page.Contents = _Stream(zlib.compress(marked), "/Filter /FlateDecode")
        page.__NoDefault__ = [*pdfdoc.PDFPage.__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = index
        page.Tabs = pdfdoc.PDFName("S")  # tab order follows the structure

    references = [objects.reference(document.Reference(page).name) for page in pages]
    root = _structure_tree(objects, references, tag_page, page_entries_indirect=True)
    catalog = document.Catalog
    # the catalogue's small dictionaries stay in it (reportlab would make them objects)
    catalog.__Refs__ = [k for k in catalog.__Refs__ if k not in ("MarkInfo", "ViewerPreferences")]
    catalog.StructTreeRoot = objects.raw[root]
    catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
    catalog.Lang = pdfdoc.PDFString(pdf_language(language))
    catalog.ViewerPreferences = pdfdoc.PDFDictionary({"DisplayDocTitle": pdfdoc.PDFtrue})
    catalog.Metadata = _Stream(_xmp(document).encode("utf-8"), "/Type /Metadata /Subtype /XML")


class _RawObject(pdfdoc.PDFObject):
    """A reportlab object whose value is a structure element (or tree) in ``_NewObjects``'s
    form, written as PDF syntax when reportlab writes it (a group's children are known by
    then)."""

    __RefOnly__ = 1
    value = None

    def format(self, document) -> bytes:
        return _syntax(self.value).encode("ascii")


class _Stream(pdfdoc.PDFObject):
    """A stream of given bytes and dictionary entries (PDF syntax)."""

    __RefOnly__ = 1

    def __init__(self, data: bytes, entries: str) -> None:
        self.data = data
        self.entries = entries

    def format(self, document) -> bytes:
        head = f"<<{self.entries} /Length {len(self.data)}>>\nstream\n".encode("ascii")
        return head + self.data + b"\nendstream\n"


class _CanvasObjects:
    """``_NewObjects`` for a document reportlab has not written yet: each object is
    registered with reportlab, which numbers it at once and writes it with the rest."""

    def __init__(self, document) -> None:
        self.document = document
        self.raw: dict[str, _RawObject] = {}

    def reference(self, name: str) -> str:
        number, generation = self.document.idToObjectNumberAndVersion[name]
        return f"{number} {generation} R"

    def allocate(self) -> str:
        raw = _RawObject()
        reference = self.reference(self.document.Reference(raw).name)
        self.raw[reference] = raw
        return reference

    def add(self, value, reference: str | None = None) -> str:
        reference = reference or self.allocate()
        self.raw[reference].value = value
        return reference


def _syntax(value) -> str:
    """A value of ``_NewObjects``'s form (names, references, integers, lists, dictionaries)
    in PDF syntax."""
    if isinstance(value, dict):
        return "<<" + " ".join(f"{key} {_syntax(item)}" for key, item in value.items()) + ">>"
    if isinstance(value, list):
        return "[" + " ".join(map(_syntax, value)) + "]"
    return str(value)


_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" \
xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt>\
</dc:description>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <pdf:Producer>{producer}</pdf:Producer>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def _xmp(document) -> str:
    """The XMP packet of reportlab's document information, as ``_identify`` writes it (the
    dates those of the document information: the injected clock's or reportlab's
    invariant ones) with the PDF/UA-1 identification."""
    info = document.info
    stamp = pdfdoc.PDFDate(ts=document._timeStamp, dateFormatter=info._dateFormatter)
    day = stamp.format(document).decode("ascii")  # "(D:YYYYMMDDHHmmSS+HH'mm')"
    digits = re.sub(r"[^0-9+\-]", "", day)
    date = (
        f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:"
        f"{digits[12:14]}{digits[14:17]}:{digits[17:19]}"
    )
    return _XMP.format(
        author=escape(info.author),
        subject=escape(info.subject),
        title=escape(info.title),
        producer=escape(info.producer),
        creator=escape(info.creator),
        date=date,
    )


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
        return _MARK.sub(self._numbered, content)

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
