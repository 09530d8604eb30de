"""Rendering a commitment: extractable Chinese text, embedded fonts, identical bytes."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from signing.errors import InvalidDocument, SigningErrorCode
from signing.render import commitment as commitment_module
from signing.render.commitment import SignatureBlock, render_commitment_pdf
from tests.pdf_structure import (
    catalogue,
    pdfua_findings,
    structure_roles,
    tagged_catalogue,
    untagged_content,
)
from tests.pdf_text import pdf_info

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils is not installed",
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return [line.split() for line in listing.splitlines()[2:]]


@needs_poppler
def test_render_writes_the_chinese_text_extractably(commitment, tmp_path):
    # when
    pdf = render_commitment_pdf(commitment)

    # then
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf, tmp_path)
    for expected in (
        "食品经营许可告知承诺书",
        "CN-2025-000123",
        "food-permit v1",
        "一、承诺主体",
        "二、承诺事项及依据",
        "三、承诺内容",
        "四、接受核查及失信后果",
        "五、签署",
        "一、许可条件",
        "承诺内容",
        "填报信息",
        "上海市浦东新区世纪大道100号",
        "李四 <li@example.cn>",
        "履约义务",
        "2025-09-30 前",
        "承诺人",
        "91310000MA1FL0000X",
    ):
        assert expected in text, expected


@needs_poppler
def test_render_embeds_every_font_it_draws_with(commitment, tmp_path):
    # when
    pdf = render_commitment_pdf(commitment)

    # then: the shipped subset, embedded, subsetted, with a Unicode map; reportlab also
    # lists Helvetica in every document's font dictionary but draws no glyph with it
    rows = _fonts(pdf, tmp_path)
    drawn = [row for row in rows if row[0] != "Helvetica"]
    assert [row[0].split("+")[1] for row in drawn] == ["WenQuanYiMicroHei-GB2312"] * len(drawn)
    assert {tuple(row[-5:-2]) for row in drawn} == {("yes", "yes", "yes")}


def test_render_is_byte_identical_for_the_same_document(commitment):
    # when
    first = render_commitment_pdf(commitment)
    second = render_commitment_pdf(dataclasses.replace(commitment))

    # then
    assert first == second


def test_paragraphs_parsed_once_per_process_lay_out_as_reportlab_parses_them(
    commitment, monkeypatch
):
    # given commitments in both languages whose commitment text runs over a page (its
    # paragraph splits), rendered twice with the parsed paragraphs kept: the second time
    # from what the first kept
    long = dataclasses.replace(
        commitment, commitment_text="本单位郑重承诺：所填写的信息真实、准确、完整。" * 150
    )
    documents = [long, dataclasses.replace(long, language="en")]
    commitment_module._parsed.cache_clear()
    kept = [render_commitment_pdf(document) for document in [*documents, *documents]]

    # when reportlab parses every paragraph itself
    monkeypatch.setattr(commitment_module, "_parsed", commitment_module._parsed.__wrapped__)
    parsed = [render_commitment_pdf(document) for document in documents]

    # then
    assert len(pikepdf.open(io.BytesIO(parsed[0])).pages) > 2
    assert kept == [*parsed, *parsed]


def test_render_differs_when_any_field_differs(commitment):
    # given
    changed = dataclasses.replace(commitment, fields=(("经营场所", "上海市浦东新区世纪大道101号"),))

    # when / then
    assert render_commitment_pdf(changed) != render_commitment_pdf(commitment)


@needs_poppler
def test_render_uses_english_headings_for_english(commitment, tmp_path):
    # given
    english = dataclasses.replace(commitment, language="en")

    # when
    text = _text(render_commitment_pdf(english), tmp_path)

    # then
    for heading in (
        "1. Who commits",
        "2. Matter and legal basis",
        "3. What is committed",
        "4. Verification and the consequences of a breach",
        "5. Signature and date",
        "Commitment",
        "Particulars",
        "Obligations",
        "Signatory",
    ):
        assert heading in text
    assert "承诺主体" not in text
    assert "食品经营许可告知承诺书" in text


def test_render_refuses_an_unknown_language(commitment):
    # when / then
    with pytest.raises(InvalidDocument) as raised:
        render_commitment_pdf(dataclasses.replace(commitment, language="fr"))
    assert raised.value.code == SigningErrorCode.INVALID_DOCUMENT


def test_threads_rendering_at_once_draw_each_document_as_alone(commitment):
    # given documents with different characters (so each builds its own font subset), each
    # rendered alone first
    documents = [
        dataclasses.replace(commitment, fields=(("经营场所", f"深圳市{place}区{n}号"),))
        for n, place in enumerate(["南山", "福田", "罗湖", "宝安", "龙岗", "盐田", "光明", "坪山"])
    ]
    alone = [render_commitment_pdf(document) for document in documents]

    # when eight threads render them all at once, several times (gunicorn's threads do: a
    # shared font's subset raced to a KeyError, a 500 on sign)
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(render_commitment_pdf, documents * 4))

    # then every document comes out byte for byte as it did alone
    assert together == alone * 4


SIGNED_AT = datetime(2026, 12, 5, 1, 30, 12, tzinfo=UTC)  # 09:30 in Beijing


def _signed(commitment):
    return dataclasses.replace(
        commitment,
        signature=SignatureBlock(
            signatory="张三",
            company="上海示例餐饮管理有限公司",
            company_code="91310000MA1FL0000X",
            signed_at=SIGNED_AT,
            certificate_subject="上海示例餐饮管理有限公司 (91310000MA1FL0000X)",
            certificate_serial="5f3a9c",
            certificate_issuer="Chengnuo Platform CA",
        ),
        created_at=SIGNED_AT,
    )


@needs_poppler
def test_the_signed_document_names_signatory_company_beijing_time_and_certificate(
    commitment, tmp_path
):
    # when
    text = _text(render_commitment_pdf(_signed(commitment)), tmp_path)

    # then
    for expected in (
        "签署人",
        "张三",
        "上海示例餐饮管理有限公司",
        "91310000MA1FL0000X",
        "签署时间",
        "2026-12-05 09:30 北京时间",
        "序列号：5f3a9c",
        "颁发者：Chengnuo Platform CA",
    ):
        assert expected in text, expected
    assert "样稿" not in text


@needs_poppler
def test_the_pdf_dates_are_the_injected_signing_time_not_2000(commitment, tmp_path):
    # when
    info = pdf_info(render_commitment_pdf(_signed(commitment)), tmp_path)

    # then: the moment of signing, written in China Standard Time
    assert info["CreationDate"] == "2026-12-05T09:30:12+08"
    assert info["ModDate"] == "2026-12-05T09:30:12+08"
    assert info["Title"] == "食品经营许可告知承诺书 CN-2025-000123"
    assert info["Author"] == "上海示例餐饮管理有限公司"
    assert info["Subject"] == "食品经营许可（新办） CN-2025-000123"
    assert info["Producer"] == "Chengnuo"


def test_the_same_signing_time_gives_the_same_bytes(commitment):
    # given: the clock is injected, so the render stays reproducible
    assert render_commitment_pdf(_signed(commitment)) == render_commitment_pdf(_signed(commitment))


def _watermark_pixels(pdf: bytes, tmp_path: Path) -> int:
    """Count the pixels of page 1 in the watermark's pale red (poppler drops diagonal text)."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    pixels = Image.open(tmp_path / "page.png").convert("RGB").tobytes()
    return sum(
        1
        for red, green, blue in zip(pixels[0::3], pixels[1::3], pixels[2::3], strict=True)
        if red > 200 and red - green > 30 and green == blue
    )


@needs_poppler
def test_only_the_preview_carries_the_draft_watermark(commitment, tmp_path):
    # when
    preview = render_commitment_pdf(dataclasses.replace(commitment, is_preview=True))
    form = render_commitment_pdf(commitment)
    english = render_commitment_pdf(dataclasses.replace(commitment, is_preview=True, language="en"))

    # then: a large pale red diagonal 样稿 (DRAFT) on the preview, none on the form to sign
    assert _watermark_pixels(preview, tmp_path) > 300
    assert _watermark_pixels(english, tmp_path) > 300
    assert _watermark_pixels(form, tmp_path) == 0
    assert "尚未签署（样稿）" in _text(preview, tmp_path)
    assert "样稿" not in _text(form, tmp_path)
    assert b"DRAFT" not in form and "样稿".encode("utf-16-be") not in form


@needs_poppler
def test_particulars_are_printed_with_the_parties(commitment, tmp_path):
    # given: a pledge's tender, authority and amount
    pledge = dataclasses.replace(
        commitment,
        particulars=(("招标项目", "ZB-2026-017 市政道路养护"), ("保证金金额", "¥80,000.00")),
    )

    # when
    text = _text(render_commitment_pdf(pledge), tmp_path)

    # then
    assert "ZB-2026-017 市政道路养护" in text
    assert "¥80,000.00" in text


def _structure(pdf: bytes) -> tuple[dict, list[tuple[str, str]]]:
    """The catalogue's tagging entries and, in reading order, each structure element's role
    and how many text-showing operators its marked content holds (read from the page's
    content stream by marked-content id)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        catalogue = {
            "marked": bool(root.MarkInfo.Marked),
            "lang": str(root.Lang),
            "display_title": bool(root.ViewerPreferences.DisplayDocTitle),
        }
        tree = root.StructTreeRoot
        assert tree.Type == pikepdf.Name.StructTreeRoot
        (top,) = list(tree.K)
        assert str(top.S) == "/Document"
        texts: dict[tuple[int, int], int] = {}
        for index, page in enumerate(document.pages):
            assert int(page.obj.StructParents) == index
            mcid, shown = None, 0
            for instruction in pikepdf.parse_content_stream(page):
                operator = str(instruction.operator)
                if operator == "BDC":
                    mcid, shown = int(instruction.operands[1].MCID), 0
                elif operator in ("Tj", "TJ") and mcid is not None:
                    shown += 1
                elif operator == "EMC" and mcid is not None:
                    texts[(index, mcid)] = shown
                    mcid = None
            nums = list(tree.ParentTree.Nums)
            parents = {int(key): value for key, value in zip(nums[::2], nums[1::2], strict=True)}
            assert len(parents[index]) == len([key for key in texts if key[0] == index])
        pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
        elements = [
            (str(element.S), texts[(pages[element.Pg.objgen], int(element.K))])
            for element in _content_elements(top)
        ]
    return catalogue, elements


def _content_elements(element) -> list:
    """The elements holding marked content below ``element``, in reading order (a table's
    cells' paragraphs inside its rows and cells)."""
    found = []
    for kid in element.K:
        found += [kid] if isinstance(kid.K, int) else _content_elements(kid)
    return found


def _tables(pdf: bytes) -> list[list[list[tuple[str, str, int]]]]:
    """Each table of the structure tree: its rows, each row's cells as (role, scope, how
    many marked-content items the cell holds: its text, directly)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        (top,) = list(document.Root.StructTreeRoot.K)

        def tables_below(element) -> list:
            if isinstance(element.K, int):
                return []
            if str(element.S) == "/Table":
                return [element]
            return [table for kid in element.K for table in tables_below(kid)]

        found = []
        for table in tables_below(top):
            rows = []
            for row in table.K:
                assert str(row.S) == "/TR" and row.P.objgen == table.objgen
                cells = []
                for cell in row.K:
                    scope = str(cell.A.Scope) if "/A" in cell else ""
                    assert isinstance(cell.K, int)  # its text's marked-content id, no paragraph
                    cells.append((str(cell.S), scope, 1))
                rows.append(cells)
            found.append(rows)
    return found


def test_the_pdf_is_tagged_headings_and_paragraphs_in_reading_order(commitment):
    pdf = render_commitment_pdf(dataclasses.replace(commitment, is_preview=True))

    catalogue, elements = _structure(pdf)

    assert catalogue == {"marked": True, "lang": "zh-CN", "display_title": True}
    roles = [role for role, _shown in elements]
    assert roles[0] == "/H1"  # the title first
    assert roles.count("/H2") == 5  # 一、… to 五、
    assert "/H3" in roles and roles.count("/P") >= 4  # meta line, notices, commitment text
    assert roles.count("/TD") >= 8  # the tables' values hold their own text
    # every element draws text; the footer and the 样稿 watermark are artifacts, not elements
    assert all(shown > 0 for _role, shown in elements)
    assert render_commitment_pdf(dataclasses.replace(commitment, is_preview=True)) == pdf


def test_tables_are_tagged_as_rows_of_header_and_data_cells(commitment):
    pdf = render_commitment_pdf(dataclasses.replace(commitment, is_preview=True))

    tables = _tables(pdf)

    assert len(tables) >= 3
    for rows in tables:
        # two columns: the label a row header, the value a data cell, each holding its text
        assert all(len(cells) == 2 for cells in rows)
        for cells in rows[1:] if rows[0][1][0] == "/TH" else rows:
            assert [(role, scope) for role, scope, _count in cells] == [
                ("/TH", "/Row"),
                ("/TD", ""),
            ]
            assert all(count >= 1 for _role, _scope, count in cells)
    # a table with a header row heads its columns
    headed = [rows for rows in tables if rows[0][1][0] == "/TH"]
    assert headed and all(
        [(role, scope) for role, scope, _count in rows[0]] == [("/TH", "/Column")] * 2
        for rows in headed
    )
    # the tables' rules and backgrounds are artifacts; a cell's text is its own marked
    # content, and no table or row mark is left in the content
    with pikepdf.open(io.BytesIO(pdf)) as document:
        operators = [
            (str(instruction.operator), [str(operand) for operand in instruction.operands])
            for page in document.pages
            for instruction in pikepdf.parse_content_stream(page)
            if str(instruction.operator) in ("BMC", "BDC")
        ]
    assert {tag[0] for _operator, tag in operators} <= {
        "/Artifact",
        "/H1",
        "/H2",
        "/H3",
        "/P",
        "/TH",
        "/TD",
    }


def test_a_table_split_over_two_pages_is_a_table_on_each(commitment):
    many = tuple((f"第{n}项", f"深圳市南山区科技园{n}号") for n in range(80))
    pdf = render_commitment_pdf(dataclasses.replace(commitment, fields=many, is_preview=True))

    tables = _tables(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)

    assert pages >= 2
    # the 80 particulars' rows, split between pages, every one a labelled data row
    particulars = [rows for rows in tables if len(rows) > 10]
    assert len(particulars) >= 2 and sum(len(rows) for rows in particulars) == 80
    assert all(
        [(role, scope) for role, scope, _count in cells] == [("/TH", "/Row"), ("/TD", "")]
        for rows in particulars
        for cells in rows
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pdf_carries_the_catalogue_entries_of_pdf_ua(commitment, language):
    pdf = render_commitment_pdf(dataclasses.replace(commitment, language=language))

    assert catalogue(pdf) == tagged_catalogue(
        lang={"zh-hans": "zh-CN", "en": "en"}[language],
        title="食品经营许可告知承诺书 CN-2025-000123",
    )


def test_every_content_item_is_in_the_structure_or_an_artifact(commitment):
    # given: two pages, a split table, the watermark and footers
    many = tuple((f"第{n}项", f"深圳市南山区科技园{n}号") for n in range(80))
    pdf = render_commitment_pdf(dataclasses.replace(commitment, fields=many, is_preview=True))

    # when / then: no text, path or image is drawn outside a marked-content id or an artifact
    assert untagged_content(pdf) == []
    assert structure_roles(pdf)[:2] == ["/Document", "/H1"]


def test_the_content_check_finds_content_drawn_outside_the_structure():
    # given: a page reportlab draws without marks (text and a rule)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, "untagged")
    canvas.line(72, 700, 300, 700)
    canvas.save()

    # when / then
    assert untagged_content(buffer.getvalue()) == [(0, "Tj"), (0, "S")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_independent_pdf_ua_checker_finds_nothing(commitment, language, tmp_path):
    pdf = render_commitment_pdf(dataclasses.replace(commitment, language=language, is_preview=True))

    assert pdfua_findings(pdf, tmp_path) == []
