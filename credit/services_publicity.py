"""The automatic end of publicity for list entries: a designation ends on its own at its end
date once nothing keeps it (its record no longer published, repaired or revoked; an entry
without a record, e.g. a pledge defaulter, at the end of its listing period).

Records themselves leave publication in ``credit.services.breach_publication_end_due``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import can_proceed

from credit.models import Breach, ListEntry
from directory.audit import audited_save, system_user

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
                ended += 1
    return ended
