"""The pledge defaulters' black list: a bidder that breached a bidding pledge and left the
non-refund amount unpaid past its deadline is listed for the list's configured period.

The pledge itself lives above the record (``commitments.pledges``); the record learns only
who is listed, why, when the prior notice (the non-refund notice) was sent and from when.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from credit.opendata.models import OpenDataEvent
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from credit.record.rules import add_months
from credit.record.services.opendata import list_event
from directory.audit import audited_save

PLEDGE_DEFAULTERS = "pledge-defaulters"  # the black list's code (seeded, period as data)


@transaction.atomic
def pledge_defaulter_list(
    *, subject_id: int, reason: str, noticed_on: date, on: date, by: AbstractBaseUser
) -> ListEntry:
    """List the subject on the pledge defaulters' list from ``on``; a subject already on it
    (noticed or listed) keeps its open entry, which is returned unchanged."""
    credit_list = CreditList.objects.get(code=PLEDGE_DEFAULTERS)
    entry = ListEntry.objects.filter(
        credit_list=credit_list, subject_id=subject_id, status__in=ListEntry.OPEN
    ).first()
    if entry is not None:
        return entry
    months = credit_list.min_listing_months
    entry = ListEntry(
        credit_list=credit_list,
        subject_id=subject_id,
        reason=reason,
        prior_notice_sent_at=timezone.make_aware(datetime.combine(noticed_on, datetime.min.time())),
        entered_on=on,
        exit_not_before=add_months(on, months) if months else None,
        status=ListEntry.Status.LISTED,
    )
    audited_save(entry, by=by, reason="pledge defaulter listed")
    list_event(kind=OpenDataEvent.Kind.LIST_ENTERED, entry=entry, on=on, by=by)
    return entry
