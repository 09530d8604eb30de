"""What the record tells the open data feed (``credit.opendata``) when it changes in public:
the codes and dates of a breach or a list entry, never its free text.

Called by the record's services inside the transaction of the change they report. When a
record or a designation stops being public, the feed withholds its subject in every item about
it (``open_data_withhold``), in the same transaction.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser

from credit.opendata.models import OpenDataEvent
from credit.opendata.selectors import open_data_was_published
from credit.opendata.services.events import open_data_event_record, open_data_withhold
from credit.record.models.breaches import Breach, ListEntry


def breach_details(breach: Breach) -> dict:
    """The public facts of a record: category, severity, rule set, department, dates."""
    return {
        "category": breach.category.code,
        "severity": breach.severity,
        "rule_set": breach.rule_set.code,
        "department": breach.department.code if breach.department_id else None,
        "record_date": breach.record_date.isoformat(),
        "publicity": {
            "starts": breach.publicity_starts.isoformat() if breach.publicity_starts else None,
            "min_until": breach.publicity_min_until.isoformat(),
            "max_until": breach.publicity_max_until.isoformat(),
        },
    }


# A record announced with one of these is no longer public: its subject is withheld.
RECORD_ENDINGS = (
    OpenDataEvent.Kind.PUBLICATION_ENDED,
    OpenDataEvent.Kind.RECORD_REPAIRED,
    OpenDataEvent.Kind.RECORD_REVOKED,
)


def breach_event(
    *, kind: str, breach: Breach, on: date, by: AbstractBaseUser | None
) -> OpenDataEvent | None:
    """Announce a change of a record. A record never published is never announced: its
    repair, revocation or correction would publish it. An announced end of publicity (end,
    repair, revocation) withholds the subject in the record's items and in those of its
    designations already ended."""
    if kind != OpenDataEvent.Kind.PUBLICATION_STARTED and not open_data_was_published(
        record_id=breach.pk
    ):
        return None
    event = open_data_event_record(
        kind=kind,
        subject=breach.subject,
        effective_on=on,
        record_id=breach.pk,
        details=breach_details(breach),
        by=by,
    )
    if kind in RECORD_ENDINGS:
        ended_entries = ListEntry.objects.filter(breach=breach).exclude(status__in=ListEntry.OPEN)
        open_data_withhold(
            record_id=breach.pk,
            list_entry_ids=tuple(ended_entries.values_list("pk", flat=True)),
            on=on,
            by=by,
        )
    return event


def list_event(
    *, kind: str, entry: ListEntry, on: date, by: AbstractBaseUser | None
) -> OpenDataEvent:
    """Announce a designation (a subject entered a red or black list) or its end; its end
    withholds the subject in the designation's items."""
    credit_list = entry.credit_list
    event = open_data_event_record(
        kind=kind,
        subject=entry.subject,
        effective_on=on,
        record_id=entry.breach_id,
        list_entry_id=entry.pk,
        details={
            "list": {"code": credit_list.code, "kind": credit_list.kind},
            "entered_on": entry.entered_on.isoformat() if entry.entered_on else None,
            "exited_on": entry.exited_on.isoformat() if entry.exited_on else None,
        },
        by=by,
    )
    if kind == OpenDataEvent.Kind.LIST_EXITED:
        open_data_withhold(list_entry_ids=(entry.pk,), on=on, by=by)
    return event
