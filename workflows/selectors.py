"""Reads the regulator workspace shares: which calendar years must be announced.

A year is to be announced when an open deadline (a pending obligation, a verification under
way, a repair application awaiting its decision) falls in it, or runs through it, and its
official holiday arrangement is not known yet (``directory.calendar.announced_years``).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation
from directory.calendar import unannounced_years
from workflows.repair.models import Objection, RepairApplication


def calendar_years_to_announce(*, today: datetime.date | None = None) -> list[int]:
    """Return the years not announced yet in which open deadlines fall or run, in order."""
    today = today or timezone.localdate()
    last_years = [
        *(
            day.year
            for day in Obligation.objects.filter(
                status=Obligation.Status.PENDING, due_date__gte=today
            ).dates("due_date", "year")
        ),
        *(
            moment.year
            for moment in Commitment.objects.filter(
                status=Commitment.Status.UNDER_VERIFICATION, verification_due_at__date__gte=today
            ).datetimes("verification_due_at", "year")
        ),
        *(
            day.year
            for day in RepairApplication.objects.filter(
                status=RepairApplication.Status.SUBMITTED, decision_due__gte=today
            ).dates("decision_due", "year")
        ),
    ]
    if not last_years:
        return []
    return unannounced_years(range(today.year, max(last_years) + 1))


def open_credit_case_counts(*, department_ids, cap: int = 1000) -> dict[str, int]:
    """Repair applications and objections awaiting a decision by these departments (capped;
    each an index range scan on department and status)."""
    repairs = RepairApplication.objects.filter(
        department_id__in=department_ids, status=RepairApplication.Status.SUBMITTED
    ).order_by()
    objections = Objection.objects.filter(
        department_id__in=department_ids, status__in=Objection.OPEN_STATES
    ).order_by()
    return {
        "repairs": repairs[:cap].count(),
        "objections": objections[:cap].count(),
    }
