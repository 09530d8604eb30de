"""Reading PDFs with pyHanko: the errors malformed input raises, a faster hex reader, and
readers that parse cross-reference tables for less (``pdf_reader``, ``reader_continued``).

pyHanko reads a PDF hex string one character at a time through a generator; a signature's
/Contents is 12,000-20,000 hex digits, read again every time a document with signatures is
opened (sealing, validating): ~5-10 ms per signature. ``read_hex_string_fast`` takes the
same bytes in one slice and decodes them with binascii; anything unusual (a comment, a
stray character, a missing ">") is handed back to pyHanko's own reader from the same
position, so the result and the errors are exactly pyHanko's. Importing this module installs
it in pyHanko, with the name and literal-string readers of ``signing.pades.lexer``; every
module of ``signing.pades`` that opens a PDF imports this one.
"""

from __future__ import annotations

import binascii
import io
import os
import re

from pyhanko.pdf_utils import generic, misc, xref
from pyhanko.pdf_utils.decode_limits import DecodeContext, DecodeLimits
from pyhanko.pdf_utils.misc import PdfError, PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader, process_data_at_eof
from pyhanko.sign.validation.errors import SignatureValidationError

from signing.pades import lexer  # noqa: F401  (installs the one-slice name and string readers)

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


_SPACE = rb"[ \n\r\t\f\x00]"
_SUBSECTION = re.compile(_SPACE + rb"*(\d+) (\d+)" + _SPACE + b"+")
_ENTRIES = re.compile(rb"(?:\d{10} \d{5} [fn](?: \r| \n|\r\n))*")
_TRAILER = re.compile(_SPACE + rb"*trailer" + _SPACE + rb"*(?=<<)")


def _table_entries(data: bytes, position: int) -> tuple[xref.XRefSectionData, int, int] | None:
    """Parse a cross-reference table at ``position`` as pyHanko's ``parse_xref_table`` and
    ``process_entries`` do, each subsection in a few C calls; return its entries, the highest
    object number and where the trailer dictionary starts. A table that is not laid out
    exactly as the standard writes it (20-byte entries, no comment, a generation pyHanko
    skips) gives ``None``: pyHanko's own reader then reads it, with its tolerances."""
    entries = xref.XRefSectionData()
    highest = 0
    while (header := _SUBSECTION.match(data, position)) is not None:
        first, count = int(header[1]), int(header[2])
        position = header.end() + 20 * count
        block = data[header.end() : position]
        if len(block) != 20 * count or not _ENTRIES.fullmatch(block):
            return None
        fields = block.split()
        generations = list(map(int, fields[1::3]))
        if count and max(generations) > 0xFFFF:
            return None
        highest = max(highest, first + count - 1)
        skip = 1 if first == 0 and count else 0  # object 0 is no entry of pyHanko's
        numbers = range(first + skip, first + count)
        offsets, kinds = fields[3 * skip :: 3], fields[3 * skip + 2 :: 3]
        generations = generations[skip:]
        if b"f" not in kinds:  # every entry in use, as in a table reportlab or pyHanko writes
            located = zip(generations, map(int, offsets), strict=True)
            entries.standard_xrefs.update(zip(numbers, located, strict=True))
            entries.explicit_refs_in_revision.update(zip(numbers, generations, strict=True))
        else:
            for number, offset, generation, kind in zip(
                numbers, offsets, generations, kinds, strict=True
            ):
                if kind == b"n":
                    entries.standard_xrefs[number] = (generation, int(offset))
                    entries.explicit_refs_in_revision.add((number, generation))
                else:
                    entries.freed[number] = generation
                    entries.explicit_refs_in_revision.add((number, generation - 1))
        if (trailer := _TRAILER.match(data, position)) is not None:
            return entries, highest, trailer.end()
    return None


class _XRefBuilder(xref.XRefBuilder):
    """pyHanko's cross-reference reader, cheaper per entry: a table ``known`` from an earlier
    reader of the same bytes (by start position) is taken, not parsed again, and any other
    table laid out as the standard writes it is parsed by ``_table_entries``; the trailers
    are read afresh from this stream, so they belong to the new reader. A table with a hybrid
    cross-reference stream, or one laid out otherwise, is read by pyHanko's own code."""

    def __init__(self, *args, known: dict[int, xref.XRefSection], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._known = known

    def _read_xref_table(self, declared_startxref: int):  # type: ignore[no-untyped-def]
        start = self.stream.tell()
        section = self._known.get(start)
        if section is not None and (
            section.meta_info.declared_startxref == declared_startxref
            and section.meta_info.xref_section_type == xref.XRefSectionType.STANDARD
        ):
            entries, end = section.xref_data, section.meta_info.end_location
        elif (parsed := _table_entries(self.stream.getvalue(), start)) is not None:
            entries, highest, end = parsed
            section = None
        else:
            return super()._read_xref_table(declared_startxref)
        self.stream.seek(end)
        trailer = generic.DictionaryObject.read_from_stream(
            self.stream, generic.TrailerReference(self.handler)
        )
        if section is None:
            if "/XRefStm" in trailer:  # a hybrid file: pyHanko reads both parts
                self.stream.seek(start)
                return super()._read_xref_table(declared_startxref)
            size = int(trailer.raw_get("/Size"))
            if self.strict and highest >= size:
                raise misc.PdfStrictReadError(
                    f"Xref table size mismatch: table allocated object with id {highest}, "
                    f"but according to the trailer {size - 1} is the maximal allowed object id."
                )
            meta = xref.XRefSectionMetaInfo(
                xref_section_type=xref.XRefSectionType.STANDARD,
                size=size,
                declared_startxref=declared_startxref,
                start_location=start,
                end_location=end,
                stream_ref=None,
            )
            section = xref.XRefSection(meta, entries)
        self.sections.append(section)
        self.trailer.add_trailer_revision(trailer)
        return xref._prev(trailer)


HEADER = re.compile(rb"%PDF-(\d).(\d)")  # pyHanko's own pattern: any character between


def header_version(stream: io.BytesIO) -> tuple[int, int]:
    """The PDF version the file's header (``%PDF-1.7``) states, as pyHanko's reader reads it."""
    stream.seek(0)
    found = HEADER.match(misc.read_until_whitespace(stream, maxchars=20))
    if found is None:
        raise PdfReadError("Illegal PDF header")
    return int(found.group(1)), int(found.group(2))


class _Reader(PdfFileReader):
    """pyHanko's reader with the cheaper cross-reference reading of ``_XRefBuilder``. The
    attributes are those ``PdfFileReader.__init__`` of the pinned pyHanko (0.38.0) sets;
    tests compare both readers of a file section by section and trailer by trailer, so a
    pyHanko that sets others fails them. Strict mode still checks the sections' consistency
    (``read_xrefs``); a known table's own checks passed in the earlier reader, on the same
    bytes."""

    def __init__(  # noqa: PLW0231
        self,
        stream: io.BytesIO,
        *,
        strict: bool,
        limits: DecodeLimits | None,
        known: dict[int, xref.XRefSection],
    ) -> None:
        self._security_handler = None
        self.strict = strict
        stream.seek(0, os.SEEK_END)
        self._decode_context = DecodeContext(limits or DecodeLimits(), input_size=stream.tell())
        self.resolved_objects = {}
        self._input_version = None
        self._historical_resolver_cache = {}
        self.stream = stream
        self._header_version = header_version(stream)
        stream.seek(-1, os.SEEK_END)
        builder = _XRefBuilder(
            handler=self,
            stream=stream,
            strict=strict,
            last_startxref=process_data_at_eof(stream),
            known=known,
        )
        self.xrefs = xref.XRefCache(self, builder.read_xrefs())
        self.last_startxref = builder.last_startxref
        self.trailer = builder.trailer
        self.has_xref_stream = builder.has_xref_stream
        self._embedded_signatures = None


def pdf_reader(stream: io.BytesIO, *, strict: bool) -> PdfFileReader:
    """A pyHanko reader of ``stream`` that parses its cross-reference tables in C calls
    (``_table_entries``): pyHanko's own parser takes ~2.5 µs an entry, ~9 ms for the 3,760
    objects of a 500-entry credit report, read by every seal."""
    return _Reader(stream, strict=strict, limits=None, known={})


def reader_continued(previous: PdfFileReader, stream: io.BytesIO) -> PdfFileReader:
    """Read ``stream``, a file that ``previous``'s bytes begin (an incremental update of it),
    taking the cross-reference sections ``previous`` read instead of parsing them again: the
    seal's revision two would otherwise read a report's thousands of entries a second time.
    Another file is read whole."""
    before = previous.stream
    known = {}
    if isinstance(before, io.BytesIO) and _begins(stream, before):
        known = {
            section.meta_info.start_location: section for section in previous.xrefs._xref_sections
        }
    return _Reader(
        stream, strict=previous.strict, limits=previous.decode_context.limits, known=known
    )


def _begins(stream: io.BytesIO, prefix: io.BytesIO) -> bool:
    """Return whether ``stream``'s bytes begin with all of ``prefix``'s."""
    return stream.getvalue().startswith(prefix.getvalue())
