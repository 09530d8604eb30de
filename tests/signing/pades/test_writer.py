"""The revision writer writes the bytes pyHanko's own incremental writer writes, updating the
document's metadata once per revision and parsing each XMP packet once."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import xmp_xml
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from signing.pades import writer as revision_writer
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.validate import validate_pdf
from signing.pades.writer import RevisionWriter
from signing.render.commitment import render_commitment_pdf

DOCUMENT_ID = generic.ArrayObject(
    [generic.ByteStringObject(b"\x01" * 16), generic.ByteStringObject(b"\x02" * 16)]
)


def _revision(writer_class: type[IncrementalPdfFileWriter], pdf: bytes, number: int) -> bytes:
    """``pdf`` with one revision adding an object, written by ``writer_class``."""
    writer = writer_class(io.BytesIO(pdf), strict=False)
    writer._document_id = DOCUMENT_ID  # pyHanko draws the second half at random
    writer.root[generic.pdf_name("/Revision")] = writer.add_object(generic.NumberObject(number))
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.fixture
def rendered(commitment) -> bytes:
    return render_commitment_pdf(commitment)


def test_three_revisions_are_the_bytes_pyhanko_s_writer_writes(rendered, monkeypatch):
    # given a clock that stands still, and no packet remembered from an earlier test
    monkeypatch.setattr(revision_writer, "_parsed", type(revision_writer._parsed)())
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        # when each writer adds three revisions, one on the other
        ours = theirs = rendered
        for number in range(3):
            ours = _revision(RevisionWriter, ours, number)
            theirs = _revision(IncrementalPdfFileWriter, theirs, number)

    # then the files are the same, byte for byte, with the metadata updated in each revision
    assert ours == theirs
    assert ours.count(b"%%EOF") == rendered.count(b"%%EOF") + 3
    reader = PdfFileReader(io.BytesIO(ours), strict=False)
    assert reader.root["/Revision"] == 2
    packet = reader.root["/Metadata"].data
    (modified,) = re.findall(rb'xmp:ModifyDate="([^"]+)"', packet)
    moment = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert dt.datetime.fromisoformat(modified.decode()) == moment  # in the local zone
    assert reader.document_meta_view.last_modified == moment


def test_a_revision_updates_the_metadata_once_and_parses_each_packet_once(rendered, monkeypatch):
    # given counts of pyHanko's metadata updates and XMP parses
    monkeypatch.setattr(revision_writer, "_parsed", type(revision_writer._parsed)())
    counts = {"update": 0, "parse": 0}
    update, parse = BasePdfFileWriter._update_meta, xmp_xml.parse_xmp

    def counted_update(self):
        counts["update"] += 1
        return update(self)

    def counted_parse(*args, **kwargs):
        counts["parse"] += 1
        return parse(*args, **kwargs)

    monkeypatch.setattr(BasePdfFileWriter, "_update_meta", counted_update)
    monkeypatch.setattr(xmp_xml, "parse_xmp", counted_parse)

    # when three revisions are written, each on the last
    pdf = rendered
    for number in range(3):
        pdf = _revision(RevisionWriter, pdf, number)

    # then the metadata was updated once per revision, and only the rendered packet parsed
    assert counts == {"update": 3, "parse": 1}


def test_a_signed_and_sealed_commitment_parses_only_the_rendered_packet(
    rendered, company, monkeypatch
):
    # given a count of XMP parses, and no packet remembered from an earlier test
    monkeypatch.setattr(revision_writer, "_parsed", type(revision_writer._parsed)())
    parses = []
    parse = xmp_xml.parse_xmp
    monkeypatch.setattr(xmp_xml, "parse_xmp", lambda *a, **k: parses.append(1) or parse(*a, **k))

    # when the commitment is signed and sealed
    signed = sign_pdf(rendered, signer=company, reason="承诺")
    sealed = seal_pdf(signed.data, reference="CN-2025-000123", verify_url="http://x/v/")

    # then the three revisions parsed one packet, and both signatures hold
    assert len(parses) == 1
    report = validate_pdf(sealed.data)
    assert [s.modification_level for s in report.signatures] == ["FORM_FILLING", "LTA_UPDATES"]
    assert report.is_valid is True
