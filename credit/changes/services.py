"""Writes of record changes: queue a notice for every calling system that received a record
before it changed (NDRC Order 36: repair reaches everyone who received the record)."""

from __future__ import annotations

from credit.changes.models import RecordChangeNotice
from credit.check.models import CheckQuery
from credit.record.models.breaches import Breach


def record_change_queue(*, breach: Breach, change: str) -> list[RecordChangeNotice]:
    """One notice per calling system that asked about the record's subject, in system order;
    a notice already queued for the same system, record and change is not queued twice."""
    systems = (
        CheckQuery.objects.filter(subject_id=breach.subject_id)
        .values_list("calling_system_id", flat=True)
        .distinct()
    )
    notices = []
    for system_id in sorted(set(systems)):
        notice, _created = RecordChangeNotice.objects.get_or_create(
            calling_system_id=system_id, breach=breach, change=change
        )
        notices.append(notice)
    return notices
