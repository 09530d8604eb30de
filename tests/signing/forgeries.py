"""What a forger does to a signed PDF, for the tests that must catch it."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def text_drawn_on_first_page(pdf: bytes) -> bytes:
    """Draw more text on the first page in an incremental update, leaving signed bytes alone."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    added = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 90 90 Td (X) Tj ET"))
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), added])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
