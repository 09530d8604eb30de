"""Red and black lists: a black-list designation once its prior notice has run its course,
and a red-list entry on an officer's decision.

Prior notices themselves are sent when a breach reaches a threshold
(``credit.record.services.breaches``); designations end in ``publicity``.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit.errors import CreditError, CreditErrorCode
from credit.opendata.models import OpenDataEvent
from credit.record.models.breaches import Breach, ListEntry
from credit.record.models.rules import CreditList
from credit.record.rules import add_months
from credit.record.services.opendata import list_event
from directory.audit import audited_save, system_user


@transaction.atomic
def list_entry_enter(
    *, entry_id: int, by: AbstractBaseUser | None = None, on: date | None = None
) -> ListEntry:
    """Designate the subject once the prior notice period has passed."""
    on = on or timezone.localdate()
    entry = ListEntry.objects.select_for_update().select_related("credit_list").get(pk=entry_id)
    if not can_proceed(entry.enter):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This list entry is %(status)s.") % {"status": entry.get_status_display()},
            field="status",
        )
    if entry.prior_notice_sent_at is None or (
        entry.enter_not_before and on < entry.enter_not_before
    ):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("The prior notice period runs until %(day)s; the designation cannot start earlier.")
            % {"day": entry.enter_not_before},
            field="enter_not_before",
        )
    months = entry.credit_list.min_listing_months
    entry.enter(on=on, exit_not_before=add_months(on, months) if months else None)
    actor = by or system_user()
    audited_save(entry, by=actor, reason="designated after prior notice")
    list_event(kind=OpenDataEvent.Kind.LIST_ENTERED, entry=entry, on=on, by=actor)
    return entry


def list_entries_enter_due(*, on: date | None = None) -> int:
    """Designate every subject whose prior notice period has passed; returns how many."""
    on = on or timezone.localdate()
    due = ListEntry.objects.filter(
        status=ListEntry.Status.NOTICED, enter_not_before__lte=on
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due):
        try:
            list_entry_enter(entry_id=pk, on=on)
            done += 1
        except CreditError:  # moved on meanwhile (withdrawn, objected to)
            continue
    return done


@transaction.atomic
def red_list_enter(
    *, subject_id: int, list_code: str, by: AbstractBaseUser, reason: str, on: date | None = None
) -> ListEntry:
    """Put a subject on a red list (an officer's decision on the list's entry criteria)."""
    on = on or timezone.localdate()
    credit_list = CreditList.objects.filter(
        code=list_code, kind=CreditList.Kind.RED, is_active=True
    ).first()
    if credit_list is None:
        raise CreditError(CreditErrorCode.INVALID, _("No such red list."), field="list_code")
    if Breach.objects.filter(
        subject_id=subject_id, status__in=Breach.COUNTING, severity__in=["general", "serious"]
    ).exists():
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("A subject with a breach on its record cannot be put on a red list."),
            field="subject",
        )
    entry = ListEntry(
        credit_list=credit_list,
        subject_id=subject_id,
        reason=(reason or "").strip() or credit_list.entry_criteria,
        entered_on=on,
        status=ListEntry.Status.LISTED,
    )
    audited_save(entry, by=by, reason="red-listed")
    list_event(kind=OpenDataEvent.Kind.LIST_ENTERED, entry=entry, on=on, by=by)
    return entry
