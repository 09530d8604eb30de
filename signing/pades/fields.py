"""The signature fields of a commitment PDF: the applicant's, then the platform seal's.

Signing creates both fields first and signs "Applicant" in the same revision: a field added
after a signature would make validators judge that signature illegally modified.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from signing.render.structure import document_language

APPLICANT_FIELD = "Applicant"
PLATFORM_SEAL_FIELD = "PlatformSeal"
SIGNATURE_FIELDS = (APPLICANT_FIELD, PLATFORM_SEAL_FIELD)
# The seal's visible stamp (the round seal and its QR code): top right of the first page, in
# the room the renderer leaves above the title (``SEAL_ROOM``), so it never covers the text.
SEAL_BOX = (311, 745, 538, 836)  # points: x1, y1, x2, y2 (A4 is 595 x 842); 80 x 32 mm


def seal_field_spec() -> fields.SigFieldSpec:
    """The platform seal's field: visible, top right of the first page."""
    return fields.SigFieldSpec(sig_field_name=PLATFORM_SEAL_FIELD, on_page=0, box=SEAL_BOX)


def seal_field_describe(writer: IncrementalPdfFileWriter) -> None:
    """Give the platform seal's field its alternative text in the document's language (the
    field's ``/TU``, its widget's ``/Contents``) and, in a tagged PDF, a ``Form`` element first
    in the structure tree that points at the widget (``/OBJR``), so a screen reader announces
    the seal where it stands. Done in the revision that creates the field, before the
    applicant signs it, so no signature sees it change."""
    lang = str(writer.root["/Lang"]) if "/Lang" in writer.root else "zh-CN"
    language = document_language(lang)
    with translation.override(language):
        text = gettext(
            "Platform seal: the platform's round red seal, and a QR code that opens the "
            "verification of this document"
        )
    ((_name, _value, field_ref),) = list(
        fields.enumerate_sig_fields(writer, with_name=PLATFORM_SEAL_FIELD)
    )
    field = field_ref.get_object()  # pyHanko merges a visible field with its widget
    field["/TU"] = generic.TextStringObject(text)
    field["/Contents"] = generic.TextStringObject(text)
    if "/StructTreeRoot" in writer.root:
        _seal_form_element_add(writer, field_ref=field_ref, text=text)
    writer.mark_update(field_ref)


def _seal_form_element_add(writer: IncrementalPdfFileWriter, *, field_ref, text: str) -> None:
    """Put a ``Form`` element for the seal's widget first in a tree ``tag_pdf`` built (one
    with a parent tree and its next key; another's tree is left as it is)."""
    tree_ref = writer.root.raw_get("/StructTreeRoot")
    tree = tree_ref.get_object()
    if "/ParentTree" not in tree or "/ParentTreeNextKey" not in tree:
        return
    field = field_ref.get_object()
    top_ref = tree["/K"].raw_get(0)
    page_ref = field.raw_get("/P")
    key = int(tree["/ParentTreeNextKey"])
    form_ref = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/StructElem"),
                generic.NameObject("/S"): generic.NameObject("/Form"),
                generic.NameObject("/P"): top_ref,
                generic.NameObject("/Pg"): page_ref,
                generic.NameObject("/Alt"): generic.TextStringObject(text),
                generic.NameObject("/K"): generic.DictionaryObject(
                    {
                        generic.NameObject("/Type"): generic.NameObject("/OBJR"),
                        generic.NameObject("/Obj"): field_ref,
                        generic.NameObject("/Pg"): page_ref,
                    }
                ),
            }
        )
    )
    top_ref.get_object()["/K"].insert(0, form_ref)  # drawn above the title: read first
    parent_tree_ref = tree.raw_get("/ParentTree")
    parent_tree_ref.get_object()["/Nums"].extend([generic.NumberObject(key), form_ref])
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    field["/StructParent"] = generic.NumberObject(key)
    writer.mark_update(tree_ref)
    writer.mark_update(top_ref)
    writer.mark_update(parent_tree_ref)
