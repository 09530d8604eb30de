"""PDF names and literal strings read in one slice, and written in one call, installed in
pyHanko by ``signing.pades.reader``.

pyHanko reads a name (``/Type``) one byte at a time through a generator and decodes it byte
by byte again, and writes it one byte at a time: ~13 µs a name read, ~60 % of reading an
object such as the catalog, and a sign and a seal read and write a few hundred names. The
fast reader takes the name up to its delimiter in one slice; a name that is plain (printable
ASCII without ``#`` escapes, as every name this platform writes) becomes the same
``NameObject`` pyHanko's would; anything else (an escape, another byte, a name longer than
the slice, the end of the file) is handed to pyHanko's own code from the same position, so
the results, the stream's position and the errors are exactly pyHanko's. The writer likewise
writes a plain name in one call and leaves any other to pyHanko.

Literal strings (``(...)``) are read the same way: pyHanko reads them a byte at a time, and
the platform's text strings are UTF-16 written as octal escapes (``\\376\\377...``), a few
hundred bytes each. The fast reader matches a string without nested parentheses whose escapes
are ones pyHanko turns into a byte the same way (``_LITERAL``) and expands them from a table;
any other string (nesting, an escaped line break, an escape pyHanko refuses, a string longer
than the slice, no closing parenthesis) is read by pyHanko's own code from the same position.
A text string is written as pyHanko writes it (PDFDocEncoding, else UTF-16BE, every byte but
a letter, a digit or a space as a three-digit octal escape), from a table in one call; an
encrypted file's strings, or a string with a forced encoding, are written by pyHanko.
"""

from __future__ import annotations

import codecs
import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE

pyhanko_read_name = generic.NameObject.read_from_stream
pyhanko_write_name = generic.NameObject.write_to_stream

_NAME_CHUNK = 128
_NAME_END = re.compile(b"[" + re.escape(PDF_WHITESPACE + PDF_DELIMITERS) + b"]")
# printable ASCII (0x21-0x7E) but "#" and the delimiters: a name written as it reads
_PLAIN_BYTES = bytes(
    byte for byte in range(0x21, 0x7F) if byte != 0x23 and byte not in PDF_DELIMITERS
)
_PLAIN = re.compile(b"[" + re.escape(_PLAIN_BYTES) + b"]*")
_PLAIN_NAME = re.compile("/[" + re.escape(_PLAIN_BYTES.decode("ascii")) + "]*")


def read_name_fast(stream):  # type: ignore[no-untyped-def]
    """Read ``/Name`` at the stream's position like pyHanko does, in one slice."""
    start = stream.tell()
    chunk = stream.read(_NAME_CHUNK)
    end = _NAME_END.search(chunk, 1)
    if chunk[:1] != b"/" or end is None:  # not a name, or longer than the chunk, or at EOF
        stream.seek(start)
        return pyhanko_read_name(stream)
    body = chunk[1 : end.start()]
    stream.seek(start + end.start())  # at the delimiter, as pyHanko leaves it
    if _PLAIN.fullmatch(body):
        return generic.NameObject("/" + body.decode("ascii"))
    return generic._decode_name(body)


def write_name_fast(self, stream, handler=None, container_ref=None):  # type: ignore[no-untyped-def]
    """Write the name as pyHanko does: a plain one in one call, any other by pyHanko."""
    if _PLAIN_NAME.fullmatch(self):
        stream.write(self.encode("ascii"))
        return
    pyhanko_write_name(self, stream, handler, container_ref)


generic.NameObject.read_from_stream = staticmethod(read_name_fast)  # type: ignore[method-assign]
generic.NameObject.write_to_stream = write_name_fast  # type: ignore[method-assign]


pyhanko_read_literal = generic._read_string_literal_bytes

_LITERAL_CHUNK = 4096
# the escapes pyHanko reads as one byte: octal of one to three digits (a shorter one not
# followed by a digit, which pyHanko would take in and refuse; three starting 0-3, since
# pyHanko refuses a value above 255), the named controls, and a character taken as it is
_ESCAPE = rb"\\(?:[0-3][0-7]{2}|[0-7]{1,2}(?![0-9])|[nrtbf() /%<>\[\]#_&$\\])"
_LITERAL = re.compile(rb"(?:[^()\\]|" + _ESCAPE + rb")*\)")
_ESCAPES = {
    **{
        b"\\" + f"{value:o}".zfill(width).encode("ascii"): bytes((value,))
        for width in (1, 2, 3)
        for value in range(min(256, 8**width))
    },
    **{b"\\" + bytes((char,)): bytes((char,)) for char in b"() /%<>[]#_&$\\"},
    b"\\n": b"\n",
    b"\\r": b"\r",
    b"\\t": b"\t",
    b"\\b": b"\b",
    b"\\f": b"\f",
}
_ESCAPED = re.compile(rb"\\(?:[0-7]{1,3}|.)", re.DOTALL)


def read_literal_fast(stream: io.BytesIO) -> bytes:
    """Read ``(...)`` at the stream's position like pyHanko does, in one slice."""
    start = stream.tell()
    chunk = stream.read(_LITERAL_CHUNK)
    found = _LITERAL.match(chunk, 1)
    if chunk[:1] != b"(" or found is None:
        stream.seek(start)
        return pyhanko_read_literal(stream)
    stream.seek(start + found.end())
    body = chunk[1 : found.end() - 1]
    if b"\\" not in body:
        return body
    return _ESCAPED.sub(lambda escape: _ESCAPES[escape[0]], body)


generic._read_string_literal_bytes = read_literal_fast


pyhanko_write_text = generic.TextStringObject.write_to_stream

# each byte as pyHanko writes it in a literal string: letters, digits and the space as they
# are, any other byte as a three-digit octal escape
_WRITTEN_BYTE = [
    bytes((byte,)) if bytes((byte,)).isalnum() or byte == 0x20 else b"\\%03o" % byte
    for byte in range(256)
]


def write_text_fast(self, stream, handler=None, container_ref=None):  # type: ignore[no-untyped-def]
    """Write the text string as pyHanko does, the escaped bytes joined from a table."""
    if handler is not None or self.force_output_encoding is not None:
        pyhanko_write_text(self, stream, handler, container_ref)
        return
    try:
        encoded = generic.encode_pdfdocencoding(self)
    except UnicodeEncodeError:
        encoded = codecs.BOM_UTF16_BE + self.encode("utf-16be")
    stream.write(b"(" + b"".join(map(_WRITTEN_BYTE.__getitem__, encoded)) + b")")


generic.TextStringObject.write_to_stream = write_text_fast  # type: ignore[method-assign]
