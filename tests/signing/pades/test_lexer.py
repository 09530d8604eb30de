"""The one-slice name and literal-string readers (and the name and text-string writers) give
exactly what pyHanko's own give: the same objects, the stream left at the same place, the
same errors, the same bytes written, on crafted tokens and on every object of a sealed
commitment."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.pades import lexer
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.render.commitment import render_commitment_pdf

NAMES = [
    b"/Type",
    b"/Type/Catalog",
    b"/Type<<",
    b"/A;B.C-D_E",
    b"/",
    b"/ ",
    b"/A#20B",
    b"/A#2",
    b"/A#zz",
    b"/Caf\xc3\xa9",
    b"/\xe9t\xe9",
    b"/A\x7fB",
    b"/" + b"L" * 300,
    b"/EndOfFile",
    b"Type",
]

LITERALS = [
    b"()",
    b"(Chengnuo)",
    b"(Chengnuo\\073 pyHanko 0\\05638\\0560)",
    b"(\\376\\377N\\012mwy\\072O\\213\\231\\020)",
    b"(D\\07220000101000000\\05300\\04700\\047)",
    b"(a\\(b\\)c\\\\d\\n\\r\\t\\b\\f\\ \\/\\%\\<\\>\\[\\]\\#\\_\\&\\$)",
    b"(\\1a\\12b\\0\\7)",
    b"(\\0008)",
    b"(\\18)",
    b"(\\129)",
    b"(\\456)",
    b"(\\400)",
    b"(\\8)",
    b"(\\q)",
    b"(a(b)c)",
    b"(line\\\nbreak\\\r\nhere)",
    b"(raw\nnew\rline\x00\xff)",
    b"(unterminated",
    b"(" + b"x" * 5000 + b")",
    b"(" + b"\\101" * 1500 + b")",
]


def _outcome(read, data: bytes):  # type: ignore[no-untyped-def]
    stream = io.BytesIO(data)
    try:
        value = read(stream)
    except (PdfError, ValueError) as error:
        return "error", type(error), stream.tell()
    return type(value), value, stream.tell()


@pytest.mark.parametrize("raw", NAMES)
@pytest.mark.parametrize("after", [b" 1 0 R", b"", b"(x)"])
def test_the_fast_name_reader_reads_exactly_what_pyhanko_reads(raw, after):
    # given the same bytes, followed by more of the file (or its end)
    data = raw + after

    # when / then: the same type and value (or error), the stream at the same place
    assert _outcome(lexer.read_name_fast, data) == _outcome(lexer.pyhanko_read_name, data)


@pytest.mark.parametrize("raw", LITERALS)
@pytest.mark.parametrize("after", [b" /Next 1", b""])
def test_the_fast_literal_reader_reads_exactly_what_pyhanko_reads(raw, after):
    # given the same bytes, followed by more of the file (or its end)
    data = raw + after

    # when / then: the same bytes (or error), the stream at the same place
    assert _outcome(lexer.read_literal_fast, data) == _outcome(lexer.pyhanko_read_literal, data)


@pytest.mark.parametrize(
    "name", ["/Type", "/", "/A B", "/A#B", "/A/B", "/A(B)", "/Café", "/A\x7fB", "/A\x00", "Type"]
)
def test_the_fast_name_writer_writes_exactly_what_pyhanko_writes(name):
    # when
    def written(write):  # type: ignore[no-untyped-def]
        stream = io.BytesIO()
        try:
            write(generic.NameObject(name), stream)
        except PdfError as error:
            return type(error)
        return stream.getvalue()

    # then
    assert written(lexer.write_name_fast) == written(lexer.pyhanko_write_name)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Chengnuo",
        "Chengnuo; pyHanko 0.38.0",
        "D:20261207124751+08'00'",
        "(a) \\ b\n\r\t\x00é–€",
        "食品经营许可告知承诺书 CN-2025-000123",
        "平台电子印章：承诺（新办）",
        "emoji 😀 outside the BMP",
    ],
)
def test_the_fast_text_writer_writes_exactly_what_pyhanko_writes(text):
    # when
    def written(write):  # type: ignore[no-untyped-def]
        stream = io.BytesIO()
        write(generic.TextStringObject(text), stream)
        return stream.getvalue()

    # then
    assert written(lexer.write_text_fast) == written(lexer.pyhanko_write_text)


def test_the_fast_readers_and_writers_are_installed_in_pyhanko():
    assert generic.NameObject.read_from_stream is lexer.read_name_fast
    assert generic.NameObject.write_to_stream is lexer.write_name_fast
    assert generic.TextStringObject.write_to_stream is lexer.write_text_fast
    assert generic._read_string_literal_bytes is lexer.read_literal_fast


def _every_object(pdf: bytes) -> list[tuple[int, str, bytes]]:
    """Every object of every revision as read (its repr) and as written again."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    found = []
    for revision in range(reader.xrefs.total_revisions):
        for number, generation in sorted(
            reader.xrefs.get_xref_data(revision).explicit_refs_in_revision
        ):
            value = reader.get_object(generic.Reference(number, generation, reader), revision)
            written = io.BytesIO()
            value.write_to_stream(written)
            found.append((number, repr(value), written.getvalue()))
    return found


def test_a_sealed_commitment_reads_and_writes_as_with_pyhanko_s_own_code(
    commitment, company, monkeypatch
):
    # given a commitment through the applicant's signature and the platform seal
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺").data
    sealed = seal_pdf(signed, reference=commitment.reference, verify_url="http://x/v/CN-1/").data

    # when every object is read and written with the fast code, then with pyHanko's own
    ours = _every_object(sealed)
    monkeypatch.setattr(generic.NameObject, "read_from_stream", lexer.pyhanko_read_name)
    monkeypatch.setattr(generic.NameObject, "write_to_stream", lexer.pyhanko_write_name)
    monkeypatch.setattr(generic, "_read_string_literal_bytes", lexer.pyhanko_read_literal)
    monkeypatch.setattr(generic.TextStringObject, "write_to_stream", lexer.pyhanko_write_text)
    theirs = _every_object(sealed)

    # then: the same objects, written as the same bytes
    assert len(ours) > 100
    assert ours == theirs
