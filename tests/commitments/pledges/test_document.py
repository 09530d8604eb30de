"""The signed pledge PDF reads as a signed document: amount, tender, authority, signatory."""

from __future__ import annotations

from commitments.pledges.services import bid_pledge_make
from directory.city import city_time_text
from signing.storage import document_read
from tests.pdf_text import pdf_info, pdf_text


def test_the_signed_pledge_names_amount_tender_authority_signatory_and_time(
    world, tender, tmp_path
):
    # when
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    pdf = document_read(pledge.commitment.signed_document)
    text = pdf_text(pdf, tmp_path)

    # then
    commitment = pledge.commitment
    for expected in (
        "¥80,000.00",
        "SZ-ZB-2026-0815 南山区学校食堂配餐服务",
        tender.department.name,
        world.subject.name,
        world.subject.code,
        world.applicant.get_full_name() or world.applicant.get_username(),
        f"{city_time_text(commitment.signed_at)} Beijing time",
        commitment.signed_document.signer_certificate_serial,
    ):
        assert expected in text, expected
    assert "DRAFT" not in text
    assert commitment.template.code not in text
    # the document's dates are the signing time, in China Standard Time (not 2000-01-01)
    assert pdf_info(pdf, tmp_path)["CreationDate"] == commitment.signed_at.astimezone(
        tender.bid_deadline.tzinfo
    ).strftime("%Y-%m-%dT%H:%M:%S+08")
