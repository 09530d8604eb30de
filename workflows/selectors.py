"""Reads the regulator workspace shares: which calendar years must be announced.

A year is to be announced when an open deadline (a pending obligation, a verification under
way, a repair application awaiting its decision) falls in it, or runs through it, and its
official holiday arrangement is not known yet (``directory.calendar.announced_years``).
"""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils import timezone

from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation
from directory.calendar import unannounced_years
from workflows.repair.models import Objection, RepairApplication


def calendar_years_to_announce(*, today: datetime.date | None = None) -> list[int]:
    """Return the years not announced yet in which open deadlines fall or run, in order.

    Only the latest open deadline of each kind matters (every year from today to it is
    checked), so each is one ``MAX`` read from the end of its ``(status, deadline)`` index:
    the cost does not grow with the number of open items (shown on every workspace page; a
    ``DISTINCT`` over the years of all open items read them all, 2 × 0.5 s at a province's
    million commitments)."""
    today = today or timezone.localdate()
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    latest = [
        Obligation.objects.filter(status=Obligation.Status.PENDING, due_date__gte=today).aggregate(
            last=Max("due_date")
        )["last"],
        Commitment.objects.filter(
            status=Commitment.Status.UNDER_VERIFICATION, verification_due_at__gte=start_of_today
        ).aggregate(last=Max("verification_due_at"))["last"],
        RepairApplication.objects.filter(
            status=RepairApplication.Status.SUBMITTED, decision_due__gte=today
        ).aggregate(last=Max("decision_due"))["last"],
    ]
    last_years = [
        (timezone.localtime(moment) if isinstance(moment, datetime.datetime) else moment).year
        for moment in latest
        if moment is not None
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
