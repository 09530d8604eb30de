"""What a bidding pledge stands for beyond its fields, drawn under them in its PDF.

The pledge builds on lifecycle, so lifecycle cannot ask for the tender itself: importing this
module (the app's ``ready()`` does) registers the reader with lifecycle's document builder."""

from __future__ import annotations

from django.utils.translation import gettext as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import particulars_register
from commitments.pledges.models import Tender
from directory.city import city_time_text, money_text


def pledge_particulars(commitment: Commitment) -> tuple[tuple[str, str], ...]:
    """What a bidding pledge stands for, drawn in its PDF: the tender, its authority, the
    deposit the pledge replaces and the bid deadline (the tender named by the pledge's
    ``tender`` field; nothing when no such tender exists)."""
    reference = (commitment.field_values or {}).get("tender", "")
    tender = Tender.objects.select_related("department").filter(reference=reference).first()
    if tender is None:
        return ()
    return (
        (_("Tender"), f"{tender.reference} {tender.title}"),
        (_("Tendering authority"), tender.department.name),
        (_("Bid deposit replaced by this pledge"), money_text(tender.deposit_amount)),
        (_("Bid deadline"), f"{city_time_text(tender.bid_deadline)} {_('Beijing time')}"),
    )


particulars_register(kind=CommitmentTemplate.Kind.BIDDING_PLEDGE, reader=pledge_particulars)
