"""The incremental writer of the applicant's signature and the seal: pyHanko's, with its
document information and XMP packet brought up to date once per revision.

Every revision pyHanko writes updates the document's modification date and producer in
the information dictionary and in the XMP packet (``_update_meta``): it inflates and parses
the packet's XML, rebuilds it and serialises it again. pyHanko 0.38's
``IncrementalPdfFileWriter.write`` does all that and then calls ``BasePdfFileWriter.write``,
which does it a second time before writing the same objects. ``RevisionWriter.write`` does it
once and writes what pyHanko's own ``write`` would (the same objects, the same dates, to the
second, when both run within the same second).

The packet the applicant's signature writes is read again by the seal, and the seal's by its
document timestamp: each time pyHanko parses the XML it serialised a moment before. The
writer remembers the structure of the packets it wrote (and read), keyed by their bytes, so a
packet is parsed once; the structures are those ``parse_xmp`` gives for those bytes, which
pyHanko's update does not change (it builds new ones).

Relies on pyHanko 0.38 internals: ``_prep_dom_for_writing``, ``_update_meta``, ``_write``,
``_need_mac_on_write``, ``_force_write_when_empty`` of the writers and ``MetadataStream._xmp``
(``tests/signing/pades/test_writer.py`` compares the bytes with pyHanko's own writer).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import model, xmp_xml

# a packet's bytes and the structure parse_xmp gives for them, the most recent last
_PARSED_LIMIT = 64
_parsed: OrderedDict[bytes, list[model.XmpStructure]] = OrderedDict()
_parsed_lock = threading.Lock()


class RevisionWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, its metadata updated once per write from a packet
    parsed once."""

    def write(self, stream) -> None:  # type: ignore[no-untyped-def]
        """Write the revision as pyHanko's ``write`` does, the metadata updated once."""
        if (not self.objects and not self._force_write_when_empty) or self._need_mac_on_write:
            super().write(stream)
            return
        self._prep_dom_for_writing()
        self._write(stream)

    def _update_meta(self) -> None:
        packet = self._packet()
        if packet is not None and packet._xmp is None:
            packet._xmp = _remembered(packet.read_data(DecodePurpose.XMP_METADATA))
        super()._update_meta()
        packet = self._packet()
        if packet is not None and packet._xmp is not None:
            _remember(packet.data, packet._xmp)

    def _packet(self) -> xmp_xml.MetadataStream | None:
        """The catalogue's XMP packet, as pyHanko's ``_update_meta`` finds it."""
        if "/Metadata" not in self.root:
            return None
        found = self.root["/Metadata"]
        return found if isinstance(found, xmp_xml.MetadataStream) else None


def _remembered(data: bytes) -> list[model.XmpStructure] | None:
    with _parsed_lock:
        found = _parsed.get(data)
        if found is not None:
            _parsed.move_to_end(data)
        return None if found is None else list(found)


def _remember(data: bytes, structure: list[model.XmpStructure]) -> None:
    with _parsed_lock:
        _parsed[data] = list(structure)
        _parsed.move_to_end(data)
        while len(_parsed) > _PARSED_LIMIT:
            _parsed.popitem(last=False)
