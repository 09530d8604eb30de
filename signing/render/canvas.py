"""The tagged canvas of the credit report and notice: the structure tree written with the
rest of the document, as reportlab writes it, in one block of PDF bytes.

``signing.render.structure.tag_pdf`` tags a written PDF with qpdf (the commitment, whose bytes
must stay those of earlier renders); a report is tagged as it is written instead
(``TaggedCanvas``): the same marks (``signing.render.tagging``) become the same elements, but
a long listing's thousands of elements (a ``TR`` and its ``TD`` per row, each an indirect
object since the parent tree points at the cells) are not reportlab objects, each registered,
formatted and added to the file one by one (about 10 µs apiece, half of a 500-entry
report's rendering): they are formatted as PDF syntax while the marks are numbered and
written as one block of numbered objects where their numbers fall (``_Tree``, ``_write``).
The bytes are those reportlab wrote with the elements as its own objects (the same numbers,
syntax and cross-reference table).

Each page's entry in the ``ParentTree`` (its elements by marked-content id) is an indirect
array of its own, so the tree itself is one short list: the seal's revision reads and writes
it again (``signing.pades.fields``) in pyHanko, whose parser is Python, and should not parse a
long listing's thousands of references to add one entry.

The catalogue gets what ``tag_pdf`` gives a written PDF (PDF/UA-1): ``StructTreeRoot``,
``MarkInfo /Marked true``, ``/Lang``, ``ViewerPreferences /DisplayDocTitle true`` and the XMP
packet with the PDF/UA identification; every page ``/Tabs /S``. Deterministic: the same
input gives the same bytes (reportlab's invariant identifier, XMP dates those of the
document information).
"""

from __future__ import annotations

import re
import zlib
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from signing.render.structure import GROUPS, MARKS, pdf_language


class TaggedCanvas(Canvas):
    """A canvas that writes the structure tree of its pages' marks with the rest of the
    document when it saves (``tag_canvas``). Made with ``tagged_canvas(language)`` as a
    document template's ``canvasmaker``."""

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
    pages = document.Pages.pages
    references = [
        "{} {} R".format(*document.idToObjectNumberAndVersion[document.Reference(page).name])
        for page in pages
    ]
    tree = _Tree(document.objectcounter + 1)
    root, top = tree.allocate(), tree.allocate()
    kids: list[str] = []
    numbers: list[str] = []
    for index, (page, reference) in enumerate(zip(pages, references, strict=True)):
        marks = _PageMarks(tree, reference, parent=top, kids=kids)
        marked = marks.number(page.stream.encode("utf-8"))  # as reportlab encodes it
        page.Contents = _Stream(zlib.compress(marked), "/Filter /FlateDecode")
        page.__NoDefault__ = [*pdfdoc.PDFPage.__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = index
        page.Tabs = pdfdoc.PDFName("S")  # tab order follows the structure
        numbers.append(f"{index} {tree.add('[' + ' '.join(marks.elements) + ']')}")
    tree.set(top, f"<</Type /StructElem /S /Document /P {root} /K [{' '.join(kids)}]>>")
    parent_tree = tree.add(f"<</Nums [{' '.join(numbers)}]>>")
    tree.set(
        root,
        f"<</Type /StructTreeRoot /K [{top}] /ParentTree {parent_tree} "
        f"/ParentTreeNextKey {len(pages)}>>",
    )
    # the tree's numbers are taken: reportlab numbers what it registers from now on after them
    document.objectcounter += len(tree.objects)
    document.format = lambda: _write(document, tree)
    catalog = document.Catalog
    # the catalogue's small dictionaries stay in it (reportlab would make them objects)
    catalog.__Refs__ = [k for k in catalog.__Refs__ if k not in ("MarkInfo", "ViewerPreferences")]
    catalog.StructTreeRoot = root  # a reference, written as it is
    catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
    catalog.Lang = pdfdoc.PDFString(pdf_language(language))
    catalog.ViewerPreferences = pdfdoc.PDFDictionary({"DisplayDocTitle": pdfdoc.PDFtrue})
    catalog.Metadata = _Stream(_xmp(document).encode("utf-8"), "/Type /Metadata /Subtype /XML")


class _Tree:
    """The structure tree's objects as PDF syntax, numbered from ``first`` in the order they
    are allocated; a grouping element's text is set when it ends (its children known)."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.objects: list[str | None] = []

    def allocate(self) -> str:
        """A reference for an object whose text is set later (``set``)."""
        self.objects.append(None)
        return f"{self.first + len(self.objects) - 1} 0 R"

    def add(self, text: str) -> str:
        self.objects.append(text)
        return f"{self.first + len(self.objects) - 1} 0 R"

    def set(self, reference: str, text: str) -> None:
        self.objects[int(reference.split(" ", 1)[0]) - self.first] = text


def _write(document, tree: _Tree) -> bytes:
    """The document's bytes: reportlab's ``PDFDocument.format`` (5.1) — each object in number
    order, the cross-reference table, the trailer — with the tree's objects written as one
    block where their numbers fall. The document is not encrypted (reportlab's comments,
    which this project never turns on, are not written)."""
    document.encrypt.prepare(document)
    if document.encrypt.info() is not None:
        raise ValueError("a tagged canvas writes no encrypted document")
    catalog, info = document.Catalog, document.info
    document.Reference(catalog)
    document.Reference(info)
    number_to_id, id_to_object = document.numberToId, document.idToObject
    out = pdfdoc.PDFFile(document._pdfVersion)
    offsets: list[int] = []
    number = 0
    while True:
        number += 1
        if number == tree.first:
            offset, block = out.offset, []
            for text in tree.objects:
                if text is None:
                    raise ValueError(f"structure object {number} was never written")
                part = f"{number} 0 obj\n{text}\nendobj\n"
                offsets.append(offset)
                offset += len(part)  # ASCII: one byte per character
                block.append(part)
                number += 1
            out.add("".join(block).encode("ascii"))
            number -= 1
            continue
        if number not in number_to_id:
            break
        name = number_to_id[number]
        offsets.append(out.add(pdfdoc.PDFIndirectObject(name, id_to_object[name]).format(document)))
    entries = "".join([f"{offset:010d} 00000 n \n" for offset in offsets])
    start = out.add(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n{entries}")
    trailer = pdfdoc.PDFTrailer(
        startxref=start,
        Size=len(offsets) + 1,
        Root=document.Reference(catalog),
        Info=document.Reference(info),
        ID=document.ID(),
    )
    out.add(trailer.format(document))
    return out.format(document)


class _PageMarks:
    """One page's content marks numbered (``signing.render.structure``'s ``_PageMarks``, the
    elements written as PDF syntax at once): one structure element per mark, in order, inside
    the table elements its table marks open; ``kids`` (the children of ``parent``) gets this
    page's top elements, ``elements`` the references of the elements holding marked content,
    by marked-content id."""

    def __init__(self, tree: _Tree, page: str, *, parent: str, kids: list[str]) -> None:
        self.tree = tree
        self.page = page
        self.elements: list[str] = []
        # per open grouping element, innermost last: its reference, its text so far, its kids
        self.groups: list[tuple[str, str, list[str]]] = [(parent, "", kids)]
        self.opened: list[bool] = []  # per open mark: whether it opened a grouping element
        self.heads: dict[bytes, tuple] = {}  # per distinct mark: what it is

    def number(self, content: bytes) -> bytes:
        """``content`` with its marks numbered (grouping elements' marks left out)."""
        numbered = MARKS.sub(self._numbered, content)
        while len(self.groups) > 1:  # a table left open at the page's end ends there
            self._end(self.groups.pop())
        return numbered

    def _head(self, match: re.Match) -> tuple:
        """What a mark is: ``EMC``, an artifact, or an element's role (bytes), whether it
        groups others, and its text's start after ``/P``'s value."""
        role = match.group(1) or match.group(2)
        if role is None:
            return ("EMC",)
        if role == b"Artifact":
            return ("Artifact",)
        scope = match.group(3)
        attributes = f" /A <</O /Table /Scope /{scope.decode()}>>" if scope else ""
        return (role, role in GROUPS and not match.group(4), f"/Pg {self.page}{attributes}")

    def _numbered(self, match: re.Match) -> bytes:
        mark = match.group(0)
        head = self.heads.get(mark)
        if head is None:
            head = self.heads[mark] = self._head(match)
        if head[0] == "EMC":  # a grouping element's end leaves the content with its start
            if self.opened.pop():
                self._end(self.groups.pop())
                return b""
            return b"EMC"
        if head[0] == "Artifact":
            self.opened.append(False)
            return mark
        role, groups, rest = head
        parent, _text, siblings = self.groups[-1]
        start = f"<</Type /StructElem /S /{role.decode()} /P {parent} {rest} /K "
        if groups:
            reference = self.tree.allocate()
            siblings.append(reference)
            self.groups.append((reference, start, []))
            self.opened.append(True)
            return b""
        mcid = len(self.elements)
        reference = self.tree.add(f"{start}{mcid}>>")
        siblings.append(reference)
        self.elements.append(reference)
        self.opened.append(False)
        return b"/%s <</MCID %d>> BDC" % (role, mcid)

    def _end(self, group: tuple[str, str, list[str]]) -> None:
        reference, start, kids = group
        self.tree.set(reference, f"{start}[{' '.join(kids)}]>>")


class _Stream(pdfdoc.PDFObject):
    """A stream of given bytes and dictionary entries (PDF syntax)."""

    __RefOnly__ = 1

    def __init__(self, data: bytes, entries: str) -> None:
        self.data = data
        self.entries = entries

    def format(self, document) -> bytes:
        head = f"<<{self.entries} /Length {len(self.data)}>>\nstream\n".encode("ascii")
        return head + self.data + b"\nendstream\n"


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
