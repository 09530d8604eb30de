"""Reading a tagged PDF back for the tests: the catalogue's PDF/UA entries, content outside
the structure, the structure tree's elements, and the independent PDF/UA checker's findings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf

# Operators that put something on the page: text, paths painted, images, shadings, XObjects.
PAINTING = frozenset(
    ["Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"]
    + ["INLINE IMAGE"]
)


def catalogue(pdf: bytes) -> dict:
    """The catalogue's and pages' entries PDF/UA-1 asks of a tagged document."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        with document.open_metadata() as metadata:
            part = metadata.get("pdfuaid:part")
            title = metadata.get("dc:title")
        return {
            "marked": bool(root.MarkInfo.Marked),
            "lang": str(root.Lang),
            "display_title": bool(root.ViewerPreferences.DisplayDocTitle),
            "tabs": {str(page.obj.get("/Tabs")) for page in document.pages},
            "pdfuaid_part": part,
            "xmp_title": title,
            "structure_tree": str(root.StructTreeRoot.Type),
        }


def tagged_catalogue(*, lang: str, title: str) -> dict:
    """What ``catalogue`` reads from a document tagged for PDF/UA in ``lang`` under ``title``."""
    return {
        "marked": True,
        "lang": lang,
        "display_title": True,
        "tabs": {"/S"},  # every page: tab order follows the structure
        "pdfuaid_part": "1",
        "xmp_title": title,
        "structure_tree": "/StructTreeRoot",
    }


def untagged_content(pdf: bytes) -> list[tuple[int, str]]:
    """Every painting operator (page index, operator) that is neither inside marked content
    with a marked-content id (so in the structure tree) nor inside an artifact; and every
    marked content without either (a mark the structure does not know)."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for index, page in enumerate(document.pages):
            open_marks: list[bool] = []  # per open sequence: tagged content or artifact
            for instruction in pikepdf.parse_content_stream(page):
                operator = str(instruction.operator)
                if operator in ("BMC", "BDC"):
                    tag = str(instruction.operands[0])
                    has_id = (
                        operator == "BDC"
                        and isinstance(instruction.operands[1], pikepdf.Dictionary)
                        and "/MCID" in instruction.operands[1]
                    )
                    is_known = tag == "/Artifact" or has_id
                    if not is_known:
                        found.append((index, f"{operator} {tag}"))
                    open_marks.append(is_known)
                elif operator == "EMC":
                    open_marks.pop()
                elif operator in PAINTING and not any(open_marks):
                    found.append((index, operator))
            assert open_marks == [], f"page {index}: unbalanced marked content"
    return found


def structure_roles(pdf: bytes) -> list[str]:
    """The structure elements' roles, depth first in reading order (``/Document`` first)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:

        def walk(element) -> list[str]:
            roles = [str(element.S)]
            kids = element.get("/K")  # an element may have none (the seal's figures)
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    if kid.get("/Type") == pikepdf.Name.StructElem:
                        roles += walk(kid)
            return roles

        return [role for top in document.Root.StructTreeRoot.K for role in walk(top)]


def pdfua_findings(pdf: bytes, tmp_path: Path) -> list[str]:
    """What the independent PDF/UA-1 checker (``pdfua`` from PyPI, installed by
    scripts/test with the dev dependencies) finds, as "rule: message" lines."""
    import pdfua as checker  # a pinned dev dependency: missing, the test fails, never skips

    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    report = checker.validate(str(path))
    return [f"{finding.rule_id}: {finding.message}" for finding in report.findings]


def xref_misplaced(pdf: bytes) -> list[str]:
    """Every revision's cross-reference table read byte by byte, independently of pyHanko,
    and each entry in use checked to point at its object's header: what an incremental
    update must keep right. Returns the entries that do not (and any section not a table),
    then whatever qpdf's own check of the file finds."""
    wrong = []
    startxref: int | None = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
    while startxref is not None:
        if not pdf.startswith(b"xref", startxref):
            return [f"no cross-reference table at {startxref}"]
        position = startxref + 4
        while (header := re.compile(rb"\s*(\d+) (\d+)\s").match(pdf, position)) is not None:
            first, count = int(header[1]), int(header[2])
            for index in range(count):
                start = header.end() + 20 * index
                offset, generation, kind = pdf[start : start + 18].split()
                if kind == b"n" and not re.compile(
                    rb"%d %d obj" % (first + index, int(generation))
                ).match(pdf, int(offset)):
                    wrong.append(f"object {first + index} not at {int(offset)}")
            position = header.end() + 20 * count
        trailer = pdf[position : pdf.index(b"startxref", position)]
        previous = re.compile(rb"/Prev (\d+)").search(trailer)
        startxref = int(previous[1]) if previous else None
    with pikepdf.open(io.BytesIO(pdf)) as document:
        wrong += document.check_pdf_syntax()  # what ``qpdf --check`` checks, step by step
    return wrong
