"""The authorisation letter the demo uploads is a tagged PDF too."""

from __future__ import annotations

from signing.render.letter import render_authorisation_letter
from tests.pdf_structure import (
    catalogue,
    pdfua_findings,
    structure_roles,
    tagged_catalogue,
    untagged_content,
)


def test_the_letter_is_a_heading_and_paragraphs_in_english(tmp_path):
    pdf = render_authorisation_letter(
        code="91310000MA1FL0000X", representative="li.si", role="Authorised representative"
    )

    assert structure_roles(pdf) == ["/Document", "/H1", "/P", "/P", "/P", "/P"]
    assert catalogue(pdf) == tagged_catalogue(
        lang="en", title="Letter of authorisation 91310000MA1FL0000X"
    )
    assert untagged_content(pdf) == []
    assert pdfua_findings(pdf, tmp_path) == []
