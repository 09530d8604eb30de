"""Reading PDFs with pyHanko: the errors malformed input raises, and a faster hex reader.

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
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
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
