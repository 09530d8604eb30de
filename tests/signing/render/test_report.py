"""The issued documents (credit report, repair notice) are tagged PDFs: headings, paragraphs
and tables in the structure tree, nothing drawn outside it, the catalogue entries of PDF/UA."""

from __future__ import annotations

import dataclasses
import io

import pikepdf
import pytest
from reportlab.pdfbase import pdfdoc

from signing.render import canvas as tagged_canvas_module
from signing.render.report import IssuedDocument, Section, render_issued_document
from tests.pdf_structure import (
    catalogue,
    pdfua_findings,
    structure_roles,
    tagged_catalogue,
    untagged_content,
    xref_misplaced,
)
from tests.pdf_text import pdf_structure_text


@pytest.fixture
def report() -> IssuedDocument:
    """A report with particulars, one listing long enough for three pages and an empty one."""
    rows = tuple(
        (f"2026-01-{index % 28 + 1:02d}", f"第{index + 1}项记录", "一般", "")
        for index in range(120)
    )
    return IssuedDocument(
        title="专项信用报告",
        reference="SR-2026-TAGGED",
        particulars=(("编号", "SR-2026-TAGGED"), ("主体", "深圳市示例餐饮有限公司")),
        sections=(
            Section("一、失信记录", ("日期", "记录", "严重程度", "状态"), rows, "无"),
            Section("二、其他信用措施", ("日期", "措施"), (), "无"),
        ),
        closing=("本报告由平台出具。",),
    )


def _tables(pdf: bytes) -> list[list[list[tuple[str, str]]]]:
    """Each table element: its rows, each row's cells as (role, scope)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:

        def tables_below(element) -> list:
            if not isinstance(element.K, pikepdf.Array):
                return []
            if str(element.S) == "/Table":
                return [element]
            return [found for kid in element.K for found in tables_below(kid)]

        return [
            [
                [(str(cell.S), str(cell.A.Scope) if "/A" in cell else "") for cell in row.K]
                for row in table.K
            ]
            for top in document.Root.StructTreeRoot.K
            for table in tables_below(top)
        ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_report_carries_the_catalogue_entries_of_pdf_ua(report, language):
    pdf = render_issued_document(dataclasses.replace(report, language=language))

    assert catalogue(pdf) == tagged_catalogue(
        lang={"zh-hans": "zh-CN", "en": "en"}[language], title="专项信用报告 SR-2026-TAGGED"
    )


def test_the_report_is_headings_paragraphs_and_tables_in_reading_order(report):
    pdf = render_issued_document(report)

    roles = structure_roles(pdf)

    # the title, the particulars' table, each section's heading then its listing or "none"
    assert roles[:3] == ["/Document", "/H1", "/Table"]
    headings = [index for index, role in enumerate(roles) if role == "/H2"]
    assert len(headings) == 2
    assert roles[headings[1] :] == ["/H2", "/P", "/P"]  # 无, then the closing line
    assert untagged_content(pdf) == []


def test_the_report_tables_head_their_rows_and_columns(report):
    pdf = render_issued_document(report)

    particulars, *listing = _tables(pdf)

    # the particulars: the label heads its row
    assert particulars == [[("/TH", "/Row"), ("/TD", "")]] * 2
    # the listing, split over pages: each part under its column headings, then data rows
    assert len(listing) >= 3
    for rows in listing:
        assert rows[0] == [("/TH", "/Column")] * 4
        assert all(cells == [("/TD", "")] * 4 for cells in rows[1:])
    assert sum(len(rows) - 1 for rows in listing) == 120


def test_a_cell_holds_its_text_directly_and_an_empty_cell_holds_nothing(report):
    pdf = render_issued_document(report)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        (top,) = list(document.Root.StructTreeRoot.K)
        listing = [kid for kid in top.K if str(kid.S) == "/Table"][1]
        first_row = listing.K[1]
        kids = [cell.K for cell in first_row.K]
        page_ids = {cell.Pg.objgen for cell in first_row.K}

    # a cell's text is its own marked content (an id on its page, no paragraph inside); the
    # status column is empty: a data cell holding nothing
    assert [isinstance(kid, int) for kid in kids] == [True, True, True, False]
    assert kids[0] + 1 == kids[1] and kids[1] + 1 == kids[2]
    assert isinstance(kids[3], pikepdf.Array) and len(kids[3]) == 0
    assert len(page_ids) == 1


def test_a_reader_gets_each_cell_s_text_under_its_cell(report, tmp_path):
    pdf = render_issued_document(dataclasses.replace(report, sections=report.sections[:1]))

    read = pdf_structure_text(pdf, tmp_path)

    # poppler's reading of the structure (what a screen reader is handed): the particulars'
    # label heading its row, the listing's column headings, then each record's cells in order
    lines = [line.strip() for line in read.splitlines()]
    assert lines[:12] == [
        "Document",
        "H1 (block)",
        '"专项信用报告"',
        "Table (block)",
        "TR",
        "TH:",
        "/Scope /Row",
        '"编号"',
        "TD",
        '"SR-2026-TAGGED"',
        "TR",
        "TH:",
    ]
    first_record = lines.index('"2026-01-01"')
    assert lines[first_record - 2 : first_record + 7] == [
        "TR",
        "TD",
        '"2026-01-01"',
        "TD",
        '"第1项记录"',
        "TD",
        '"一般"',
        "TD",  # the empty status
        "TR",
    ]
    assert sum(line.startswith('"第') and line.endswith('项记录"') for line in lines) == 120


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_independent_pdf_ua_checker_finds_nothing_in_a_report(report, language, tmp_path):
    pdf = render_issued_document(dataclasses.replace(report, language=language))

    assert pdfua_findings(pdf, tmp_path) == []


def test_the_report_renders_the_same_bytes_again(report):
    assert render_issued_document(report) == render_issued_document(dataclasses.replace(report))


def test_each_page_s_parent_tree_entry_is_an_object_of_its_own(report):
    # a long report's seal rewrites the parent tree (pyHanko, in Python): it should not parse
    # every page's elements again to add the seal's entry
    pdf = render_issued_document(report)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        numbers = list(document.Root.StructTreeRoot.ParentTree.Nums)
        entries = numbers[1::2]
        pages = len(document.pages)

    assert [int(key) for key in numbers[::2]] == list(range(pages))
    assert all(entry.is_indirect and isinstance(entry, pikepdf.Array) for entry in entries)


def test_every_cross_reference_entry_points_at_its_object(report):
    # the structure elements are written as one block of objects beside reportlab's own
    assert xref_misplaced(render_issued_document(report)) == []


class _Element(pdfdoc.PDFObject):
    __RefOnly__ = 1

    def __init__(self, text: str) -> None:
        self.text = text

    def format(self, document) -> bytes:
        return self.text.encode("ascii")


def test_the_structure_block_is_written_as_reportlab_writes_its_own_objects(report, monkeypatch):
    written = render_issued_document(report)

    def as_reportlab_objects(document, tree) -> bytes:
        # each element handed to reportlab as an object of its own, at its number
        for index, text in enumerate(tree.objects):
            number, name = tree.first + index, f"StructureElement{index}"
            document.numberToId[number] = name
            document.idToObjectNumberAndVersion[name] = (number, 0)
            document.idToObject[name] = _Element(text)
        return pdfdoc.PDFDocument.format(document)

    monkeypatch.setattr(tagged_canvas_module, "_write", as_reportlab_objects)

    assert render_issued_document(report) == written
