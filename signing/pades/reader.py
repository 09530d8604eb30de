"""Reading PDFs with pyHanko: the errors malformed input raises, a faster hex reader, and
a reader of a later revision built on what an earlier reader parsed (``reader_continued``).

pyHanko reads a PDF hex string one character at a time through a generator; a signature's
/Contents is 12,000-20,000 hex digits, read again every time a document with signatures is
opened (sealing, validating): ~5-10 ms per signature. ``read_hex_string_fast`` takes the
same bytes in one slice and decodes them with binascii; anything unusual (a comment, a
stray character, a missing ">") is handed back to pyHanko's own reader from the same
position, so the result and the errors are exactly pyHanko's. Importing this module installs
it in pyHanko; every module of ``signing.pades`` that opens a PDF imports this one.
"""

from __future__ import annotations

import binascii
import io
import os
import re
from typing import BinaryIO

from pyhanko.pdf_utils import generic, xref
from pyhanko.pdf_utils.decode_limits import DecodeContext
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader, _read_header_version, process_data_at_eof
from pyhanko.sign.validation.errors import SignatureValidationError

# Errors pyHanko and asn1crypto raise on malformed input; never let them escape.
MALFORMED_INPUT = (PdfError, SignatureValidationError, ValueError, TypeError, KeyError, IndexError)

pyhanko_read_hex_string = generic.read_hex_string_from_stream
_HEX_CHUNK = 32 * 1024
_NOT_HEX_OR_SPACE = re.compile(rb"[^0-9A-Fa-f \n\r\t\f\x00]")
_PDF_SPACE = b" \n\r\t\f\x00"


def read_hex_string_fast(stream):  # type: ignore[no-untyped-def]
    """Read ``<...>`` at the stream's position like pyHanko does, in one slice."""
    start = stream.tell()
    stream.read(1)  # "<"
    parts = []
    while True:
        chunk = stream.read(_HEX_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(start + 1 + sum(len(part) for part in parts) + 1)
            break
        if not chunk:
            stream.seek(start)
            return pyhanko_read_hex_string(stream)
        parts.append(chunk)
    digits = b"".join(parts)
    if _NOT_HEX_OR_SPACE.search(digits):
        stream.seek(start)
        return pyhanko_read_hex_string(stream)
    digits = digits.translate(None, _PDF_SPACE)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


generic.read_hex_string_from_stream = read_hex_string_fast


class _ContinuedXRefBuilder(xref.XRefBuilder):
    """pyHanko's cross-reference reader that takes the sections ``known`` already read (by
    start position) instead of parsing their entries again; their trailers are read afresh
    from this stream, so they belong to the new reader. A section with a hybrid cross-reference
    stream, or any position not known, is read by pyHanko's own code."""

    def __init__(self, *args, known: dict[int, xref.XRefSection], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._known = known

    def _read_xref_table(self, declared_startxref: int):  # type: ignore[no-untyped-def]
        section = self._known.get(self.stream.tell())
        if (
            section is None
            or section.meta_info.declared_startxref != declared_startxref
            or section.meta_info.xref_section_type != xref.XRefSectionType.STANDARD
        ):
            return super()._read_xref_table(declared_startxref)
        self.stream.seek(section.meta_info.end_location)
        trailer = generic.DictionaryObject.read_from_stream(
            self.stream, generic.TrailerReference(self.handler)
        )
        self.sections.append(section)
        self.trailer.add_trailer_revision(trailer)
        return xref._prev(trailer)


class _ContinuedReader(PdfFileReader):
    """A reader of ``stream``, a later revision of ``previous``'s file, built on what
    ``previous`` parsed (see ``reader_continued``). The attributes are those
    ``PdfFileReader.__init__`` of the pinned pyHanko (0.38.0) sets, the cross-reference
    sections aside; tests compare both readers of a file section by section and trailer by
    trailer, so a pyHanko that sets others fails them. Strict mode still checks the
    sections' consistency (``read_xrefs``); a reused table's own checks passed in
    ``previous``, on the same bytes."""

    def __init__(self, previous: PdfFileReader, stream: BinaryIO) -> None:  # noqa: PLW0231
        self._security_handler = None
        self.strict = previous.strict
        stream.seek(0, os.SEEK_END)
        self._decode_context = DecodeContext(
            previous.decode_context.limits, input_size=stream.tell()
        )
        self.resolved_objects = {}
        self._input_version = None
        self._historical_resolver_cache = {}
        self.stream = stream
        self._header_version = _read_header_version(stream)
        stream.seek(-1, os.SEEK_END)
        builder = _ContinuedXRefBuilder(
            handler=self,
            stream=stream,
            strict=self.strict,
            last_startxref=process_data_at_eof(stream),
            known={
                section.meta_info.start_location: section
                for section in previous.xrefs._xref_sections
            },
        )
        self.xrefs = xref.XRefCache(self, builder.read_xrefs())
        self.last_startxref = builder.last_startxref
        self.trailer = builder.trailer
        self.has_xref_stream = builder.has_xref_stream
        self._embedded_signatures = None


def reader_continued(previous: PdfFileReader, stream: io.BytesIO) -> PdfFileReader:
    """Read ``stream``, a file that ``previous``'s bytes begin (an incremental update of it),
    parsing only the cross-reference sections added after them: pyHanko parses a table at
    ~2.5 µs an entry, and a sealed report's revision two would otherwise read its thousands
    of entries a second time. Anything else (another file) is read by pyHanko in full."""
    before = previous.stream
    if not isinstance(before, io.BytesIO) or not _begins(stream, before):
        return PdfFileReader(stream, strict=previous.strict)
    return _ContinuedReader(previous, stream)


def _begins(stream: io.BytesIO, prefix: io.BytesIO) -> bool:
    """Return whether ``stream``'s bytes begin with all of ``prefix``'s."""
    return stream.getvalue().startswith(prefix.getvalue())
