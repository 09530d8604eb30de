"""The fast hex-string reader reads exactly what pyHanko's own reader reads, and a reader
continued from an earlier one holds what a fresh reader of the whole file holds."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError, PdfReadError, PdfStreamError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from signing.pades import reader
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.validate import validate_pdf
from signing.render.commitment import render_commitment_pdf


@pytest.mark.parametrize(
    "raw",
    [
        b"<4142>",
        b"<41 42\n43\r\t0d>",
        b"<414>",
        b"<>",
        b"<FEFF004100420043>",
        b"<41%comment\n42>",
        b"<" + b"3082" * 9000 + b"0" * 12000 + b">",
    ],
)
def test_the_fast_hex_reader_reads_exactly_what_pyhanko_reads(raw):
    # given the same bytes, followed by more of the file
    data = raw + b" /Next 1"
    fast, original = io.BytesIO(data), io.BytesIO(data)

    # when
    ours = reader.read_hex_string_fast(fast)
    theirs = reader.pyhanko_read_hex_string(original)

    # then: the same object type and value, and the stream left at the same place
    assert type(ours) is type(theirs)
    assert ours == theirs
    assert fast.tell() == original.tell() == len(raw)


def test_the_fast_hex_reader_refuses_what_pyhanko_refuses():
    # when / then
    with pytest.raises(PdfStreamError):
        reader.read_hex_string_fast(io.BytesIO(b"<41zz42> rest"))
    assert generic.read_hex_string_from_stream is reader.read_hex_string_fast


def _sections(pdf: PdfFileReader) -> list[tuple]:
    """Every revision's cross-reference section as pyHanko holds it, oldest first."""
    return [
        (
            revision,
            pdf.xrefs.get_xref_container_info(revision),
            pdf.xrefs.get_xref_data(revision).standard_xrefs,
            pdf.xrefs.get_xref_data(revision).freed,
            pdf.xrefs.get_xref_data(revision).xrefs_in_objstm,
            pdf.xrefs.get_xref_data(revision).explicit_refs_in_revision,
            {key: repr(value) for key, value in pdf.trailer.flatten(revision).items()},
        )
        for revision in range(pdf.xrefs.total_revisions)
    ]


def _signed_at(pdf: PdfFileReader) -> list[tuple]:
    """Each signature field's name and its signature's /M, read through ``pdf``."""
    return [(name, value.get_object().get("/M")) for name, value, _ref in enumerate_sig_fields(pdf)]


def test_a_continued_reader_holds_what_a_fresh_reader_of_the_whole_file_holds(commitment, company):
    # given the signed commitment read once, and the file after the seal's two revisions
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺").data
    sealed = seal_pdf(signed, reference=commitment.reference, verify_url="http://x/v/CN-1/").data
    earlier = PdfFileReader(io.BytesIO(signed), strict=False)

    # when
    continued = reader.reader_continued(earlier, io.BytesIO(sealed))
    fresh = PdfFileReader(io.BytesIO(sealed), strict=False)

    # then: the earlier sections were taken, not parsed, and everything is the same
    assert continued.xrefs.get_xref_data(0) is earlier.xrefs.get_xref_data(0)
    assert continued.xrefs.total_revisions == earlier.xrefs.total_revisions + 2
    assert _sections(continued) == _sections(fresh)
    assert (continued.last_startxref, continued.has_xref_stream, continued.input_version) == (
        fresh.last_startxref,
        fresh.has_xref_stream,
        fresh.input_version,
    )
    assert continued.trailer.raw_get("/Root").get_pdf_handler() is continued
    assert _signed_at(continued) == _signed_at(fresh)
    assert validate_pdf(sealed).is_valid is True


def test_a_file_the_earlier_bytes_do_not_begin_is_read_whole(commitment, company):
    # given a reader of one file, and another file
    first = render_commitment_pdf(commitment)
    other = sign_pdf(first, signer=company, reason="承诺").data
    earlier = PdfFileReader(io.BytesIO(first + b"\n"), strict=False)

    # when
    read = reader.reader_continued(earlier, io.BytesIO(other))

    # then: nothing taken from the other one
    assert read.xrefs.get_xref_data(0) is not earlier.xrefs.get_xref_data(0)
    assert _sections(read) == _sections(PdfFileReader(io.BytesIO(other), strict=False))


def _last_table(pdf: bytes, old: bytes, new: bytes) -> bytes:
    """``pdf`` with ``old`` replaced by ``new`` in its last cross-reference table and trailer
    (nothing after it moves)."""
    start = pdf.rindex(b"\nxref") + 1
    return pdf[:start] + pdf[start:].replace(old, new)


def _last_entry_freed(pdf: bytes) -> bytes:
    """``pdf`` with the last entry in use of its last table marked free (same length)."""
    at = pdf.rindex(b" 00000 n")
    return pdf[:at] + b" 00001 f" + pdf[at + 8 :]


@pytest.mark.parametrize(
    "variant",
    [
        lambda pdf: pdf,
        lambda pdf: _last_table(pdf, b" \n", b"\r\n"),  # the other 2-byte end of line
        lambda pdf: _last_table(pdf, b" \n", b" \r\n"),  # 21 bytes: pyHanko's tolerance
        lambda pdf: _last_table(pdf, b"trailer", b"trailer % note\n"),  # a comment
        lambda pdf: _last_table(pdf, b"xref\n0 ", b"xref\n% note\n0 "),
        lambda pdf: _last_table(pdf, b" 00000 n", b" 70000 n"),  # generations pyHanko skips
        lambda pdf: _last_table(pdf, b" 00000 n", b" 00002 n"),
        lambda pdf: _last_entry_freed(pdf),  # a freed entry among those in use
    ],
)
def test_the_fast_reader_holds_what_pyhanko_s_reader_holds(commitment, company, variant):
    # given a sealed commitment (four revisions), its last table laid out as written or not
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺").data
    pdf = variant(seal_pdf(signed, reference=commitment.reference, verify_url="http://x/").data)

    # when / then: the same sections, trailers and catalogue, or the same refusal (strict)
    for strict in (False, True):
        assert _read(reader.pdf_reader, pdf, strict) == _read(PdfFileReader, pdf, strict)


def _read(read, pdf: bytes, strict: bool) -> tuple:  # type: ignore[no-untyped-def]
    """What a reader holds of ``pdf``, or the error it raised."""
    try:
        opened = read(io.BytesIO(pdf), strict=strict)
    except PdfError as error:
        return (type(error), str(error))
    return (_sections(opened), sorted(opened.root.keys()))


@pytest.mark.parametrize(
    ("header", "version"),
    [
        (b"%PDF-1.7\n", (1, 7)),
        (b"%PDF-2.0\r\n", (2, 0)),
        (b"%PDF-1-4 ", (1, 4)),  # pyHanko's pattern takes any character between
        (b"%PDF1.7\n", None),
        (b"%!PS-Adobe\n", None),
    ],
)
def test_the_header_version_is_read_as_pyhanko_reads_it(header, version):
    stream = io.BytesIO(header + b"%\xe2\xe3\xcf\xd3\n")
    if version is None:
        with pytest.raises(PdfReadError, match="Illegal PDF header"):
            reader.header_version(stream)
    else:
        assert reader.header_version(stream) == version
