"""The automatic end of publicity: a record leaves publication at its maximum period (and a
measure with a duration expires); a designation ends on its own at its end date once nothing
keeps it (its record no longer published, repaired or revoked; an entry without a record,
e.g. a pledge defaulter, at the end of its listing period).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import can_proceed

from credit.opendata.models import OpenDataEvent
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.services.opendata import breach_event, list_event
from directory.audit import audited_save, system_user


def breach_publication_end_due(*, on: date | None = None) -> int:
    """End the publication of every record past its maximum period, and expire measures
    whose duration is over; returns how many records stopped being published."""
    on = on or timezone.localdate()
    actor = system_user()
    ended = 0
    for pk in list(
        Breach.objects.filter(
            status=Breach.Status.PUBLISHED, publicity_max_until__lte=on
        ).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            breach = Breach.objects.select_for_update().get(pk=pk)
            if can_proceed(breach.end_publication):
                breach.end_publication()
                audited_save(breach, by=actor, reason="maximum publicity period reached")
                # Dated by the rule (the maximum period's end), however late the sweep ran.
                breach_event(
                    kind=OpenDataEvent.Kind.PUBLICATION_ENDED,
                    breach=breach,
                    on=breach.publicity_max_until,
                    by=actor,
                )
                ended += 1
    for pk in list(
        Measure.objects.filter(status=Measure.Status.ACTIVE, ends_on__lte=on).values_list(
            "pk", flat=True
        )
    ):
        with transaction.atomic():
            measure = Measure.objects.select_for_update().get(pk=pk)
            if can_proceed(measure.expire):
                measure.expire(on=on)
                audited_save(measure, by=actor, reason="duration over")
    return ended


# A record in one of these states no longer keeps its subject on a list.
NO_LONGER_PUBLISHED = (
    Breach.Status.PUBLICATION_ENDED,
    Breach.Status.REPAIRED,
    Breach.Status.REVOKED,
)


def list_entries_exit_due(*, on: date | None = None) -> int:
    """End every designation past its end date whose record no longer keeps it; returns
    how many ended. Idempotent."""
    on = on or timezone.localdate()
    due = ListEntry.objects.filter(
        status=ListEntry.Status.LISTED, exit_not_before__isnull=False, exit_not_before__lte=on
    ).filter(Q(breach__isnull=True) | Q(breach__status__in=NO_LONGER_PUBLISHED))
    actor = system_user()
    ended = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = ListEntry.objects.select_for_update().get(pk=pk)
            if can_proceed(entry.leave):
                entry.leave(on=on)
                audited_save(entry, by=actor, reason="listing period over")
                list_event(kind=OpenDataEvent.Kind.LIST_EXITED, entry=entry, on=on, by=actor)
                ended += 1
    return ended
