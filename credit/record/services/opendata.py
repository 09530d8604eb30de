"""What the record tells the open data feed (``credit.opendata``) when it changes in public:
the codes and dates of a breach or a list entry, never its free text.

Called by the record's services inside the transaction of the change they report.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser

from credit.opendata.models import OpenDataEvent
from credit.opendata.selectors import open_data_was_published
from credit.opendata.services import open_data_event_record
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


def breach_event(
    *, kind: str, breach: Breach, on: date, by: AbstractBaseUser | None
) -> OpenDataEvent | None:
    """Announce a change of a record. A record never published is never announced: its
    repair, revocation or correction would publish it."""
    if kind != OpenDataEvent.Kind.PUBLICATION_STARTED and not open_data_was_published(
        record_id=breach.pk
    ):
        return None
    return open_data_event_record(
        kind=kind,
        subject=breach.subject,
        effective_on=on,
        record_id=breach.pk,
        details=breach_details(breach),
        by=by,
    )


def list_event(
    *, kind: str, entry: ListEntry, on: date, by: AbstractBaseUser | None
) -> OpenDataEvent:
    """Announce a designation (a subject entered a red or black list) or its end."""
    credit_list = entry.credit_list
    return open_data_event_record(
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
