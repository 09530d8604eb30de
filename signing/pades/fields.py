"""The signature fields of a commitment PDF: the applicant's, then the platform seal's.

Signing creates both fields first and signs "Applicant" in the same revision: a field added
after a signature would make validators judge that signature illegally modified.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields
from pyhanko.stamp import StaticStampStyle

from signing.render.stamp import STAMP_HEIGHT, STAMP_WIDTH, stamp_figures
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
    the seal where it stands, followed by a ``Figure`` for each of the stamp's two images
    (the round seal, the QR code) with its own ``/Alt`` and its ``BBox`` on the page. Done in
    the revision that creates the field, before the applicant signs it, so no signature sees
    it change.

    PDF/UA-1 (7.18.4) wants a widget annotation inside a ``Form`` element, and a ``Form``
    without a ``Role`` attribute has the widget's object reference as its only child (ISO
    32000-1, 14.8.4.5), so the figures are its siblings, not its children. The images are
    drawn in the widget's appearance, made only when the platform seals (after the
    applicant's signature, when the tree may no longer change), so the figures hold no
    marked content: their ``Layout`` attribute's ``BBox`` says where they are, as ISO 32000-1
    (14.8.5.4, Table 344) asks of an illustration outside the page content."""
    lang = str(writer.root["/Lang"]) if "/Lang" in writer.root else "zh-CN"
    language = document_language(lang)
    with translation.override(language):
        text = gettext(
            "Platform seal: the platform's round red seal, and a QR code that opens the "
            "verification of this document"
        )
        figures = {
            "seal": gettext(
                "The platform's round red seal: the Credit Commitment Platform's electronic "
                "seal, with the document's reference"
            ),
            "qr": gettext("QR code: scan it to open the public verification of this document"),
        }
    ((_name, _value, field_ref),) = list(
        fields.enumerate_sig_fields(writer, with_name=PLATFORM_SEAL_FIELD)
    )
    field = field_ref.get_object()  # pyHanko merges a visible field with its widget
    field["/TU"] = generic.TextStringObject(text)
    field["/Contents"] = generic.TextStringObject(text)
    if "/StructTreeRoot" in writer.root:
        _seal_form_element_add(writer, field_ref=field_ref, text=text, figures=figures)
    writer.mark_update(field_ref)


def _seal_form_element_add(
    writer: IncrementalPdfFileWriter, *, field_ref, text: str, figures: dict[str, str]
) -> None:
    """Put a ``Form`` element for the seal's widget, then a ``Figure`` for each image of the
    stamp (``figures``: its alternative text by ``stamp_figures`` name), first in a tree
    ``tag_pdf`` built (one with a parent tree and its next key; another's tree is left as it
    is)."""
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
    elements = [form_ref]
    for name, box in _figure_boxes(field):
        elements.append(
            writer.add_object(
                generic.DictionaryObject(
                    {
                        generic.NameObject("/Type"): generic.NameObject("/StructElem"),
                        generic.NameObject("/S"): generic.NameObject("/Figure"),
                        generic.NameObject("/P"): top_ref,
                        generic.NameObject("/Pg"): page_ref,
                        generic.NameObject("/Alt"): generic.TextStringObject(figures[name]),
                        generic.NameObject("/A"): generic.DictionaryObject(
                            {
                                generic.NameObject("/O"): generic.NameObject("/Layout"),
                                generic.NameObject("/Placement"): generic.NameObject("/Block"),
                                generic.NameObject("/BBox"): generic.ArrayObject(
                                    generic.FloatObject(round(value, 2)) for value in box
                                ),
                            }
                        ),
                    }
                )
            )
        )
    kids = top_ref.get_object()["/K"]
    for element in reversed(elements):  # drawn above the title: read first
        kids.insert(0, element)
    parent_tree_ref = tree.raw_get("/ParentTree")
    parent_tree_ref.get_object()["/Nums"].extend([generic.NumberObject(key), form_ref])
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    field["/StructParent"] = generic.NumberObject(key)
    writer.mark_update(tree_ref)
    writer.mark_update(top_ref)
    writer.mark_update(parent_tree_ref)


def _figure_boxes(field) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The stamp's images on the page: where pyHanko's static stamp places the stamp in the
    widget's rectangle (its background layout: centred inside a margin, shrunk to fit)."""
    left, bottom, right, top = (float(value) for value in field["/Rect"])
    placed = StaticStampStyle().background_layout.fit(
        BoxConstraints(width=right - left, height=top - bottom), STAMP_WIDTH, STAMP_HEIGHT
    )
    x0, y0 = left + placed.x_pos, bottom + placed.y_pos
    return [
        (
            name,
            (
                x0 + x1 * placed.x_scale,
                y0 + y1 * placed.y_scale,
                x0 + x2 * placed.x_scale,
                y0 + y2 * placed.y_scale,
            ),
        )
        for name, (x1, y1, x2, y2) in stamp_figures()
    ]
