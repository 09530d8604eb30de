"""Reads for repair and objection cases: an objection's history, told step by step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from commitments.models import Department
from credit.models import Objection


@dataclass(frozen=True)
class HistoryStep:
    at: datetime
    what: str
    by: str
    reason: str


def objection_history(*, objection: Objection) -> list[HistoryStep]:
    """Filing, marking, forwarding (who, when, why, from and to which department) and the
    decision, from the objection's audited history, oldest first."""
    steps = []
    previous = None
    records = objection.history.select_related("history_user").order_by("history_date", "pk")
    departments = {}
    for record in records:
        reason = ""
        if previous is None:
            what = _("Objection filed")
        elif record.marked_on and not previous.marked_on:
            what = _("Record marked under objection")
        elif record.status == Objection.Status.FORWARDED and previous.status != record.status:
            if not departments:
                departments = dict(Department.objects.values_list("pk", "name"))
            what = _("Forwarded from %(source)s to %(target)s") % {
                "source": departments.get(record.forwarded_from_id, "-"),
                "target": departments.get(record.department_id, "-"),
            }
            reason = record.forward_reason
        elif record.status != previous.status:
            what = _("Decided: %(outcome)s") % {"outcome": record.get_status_display()}
            reason = record.decision_reason
        else:
            previous = record
            continue
        user = record.history_user
        steps.append(
            HistoryStep(
                at=record.history_date,
                what=what,
                by=(user.get_full_name() or user.get_username()) if user else "",
                reason=reason,
            )
        )
        previous = record
    return steps
