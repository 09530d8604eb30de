"""The fast hex-string reader reads exactly what pyHanko's own reader reads."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from signing.pades import reader


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
