"""The signature fields of a commitment PDF: the applicant's, then the platform seal's.

Signing creates both fields first and signs "Applicant" in the same revision: a field added
after a signature would make validators judge that signature illegally modified.
"""

from __future__ import annotations

from pyhanko.sign import fields

APPLICANT_FIELD = "Applicant"
PLATFORM_SEAL_FIELD = "PlatformSeal"
SIGNATURE_FIELDS = (APPLICANT_FIELD, PLATFORM_SEAL_FIELD)
# The seal's visible stamp (the round seal and its QR code): top right of the first page, in
# the room the renderer leaves above the title (``SEAL_ROOM``), so it never covers the text.
SEAL_BOX = (311, 745, 538, 836)  # points: x1, y1, x2, y2 (A4 is 595 x 842); 80 x 32 mm


def seal_field_spec() -> fields.SigFieldSpec:
    """The platform seal's field: visible, top right of the first page."""
    return fields.SigFieldSpec(sig_field_name=PLATFORM_SEAL_FIELD, on_page=0, box=SEAL_BOX)
