"""Reads for the supervisors' pages: the service-level dashboard, spot-check sampling and the
exempt cases waiting for a draw.

The dashboard's figures come from three grouped queries over the queue index and the
recorded verifications, whatever the number of tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from commitments.lifecycle.models import Commitment, Verification, VerificationExemption
from directory.calendar import add_working_days
from directory.translation import in_active_language
from workflows.verification.models import SamplingDraw, SamplingPolicy, VerificationTaskIndex

AGE_BUCKETS = ((5, "0–5"), (10, "6–10"), (20, "11–20"), (None, "> 20"))


@dataclass
class SlaLine:
    department: str
    matter: str
    department_id: int | None = None
    matter_id: int | None = None
    backlog: int = 0
    overdue: int = 0
    ages: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))
    verified: int = 0
    on_time: int = 0

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.verified, 1) if self.verified else None


def sla_lines(*, department_ids: list[int], now: datetime.datetime | None = None) -> list[SlaLine]:
    """Backlog, overdue, ageing (working queue days since the task opened) and on-time share,
    by department and matter. Three grouped queries, whatever the number of tasks."""
    now = now or timezone.now()
    lines: dict[tuple[str, str], SlaLine] = {}

    def line(department: str, matter: str, department_id: int, matter_id: int) -> SlaLine:
        return lines.setdefault(
            (department, matter), SlaLine(department, matter, department_id, matter_id)
        )

    age_counts = {}
    lower = None
    for position, (days, _label) in enumerate(AGE_BUCKETS):
        condition = Q()
        if days is not None:
            condition &= Q(created_at__gte=now - datetime.timedelta(days=days))
        if lower is not None:
            condition &= Q(created_at__lt=now - datetime.timedelta(days=lower))
        age_counts[f"age_{position}"] = Count("pk", filter=condition)
        lower = days
    open_rows = (
        VerificationTaskIndex.objects.filter(department_id__in=department_ids)
        .values(
            "department_id",
            "matter_id",
            department_name=in_active_language("department__name"),
            matter_name=in_active_language("matter__name"),
        )
        .annotate(backlog=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)), **age_counts)
        .order_by("department_name", "matter_name")
    )
    for row in open_rows:
        item = line(
            row["department_name"], row["matter_name"], row["department_id"], row["matter_id"]
        )
        item.backlog, item.overdue = row["backlog"], row["overdue"]
        item.ages = [row[f"age_{position}"] for position in range(len(AGE_BUCKETS))]
    done = (
        Verification.objects.filter(commitment__department_id__in=department_ids)
        .values(
            "commitment__department_id",
            "commitment__template__matter_id",
            department_name=in_active_language("commitment__department__name"),
            matter_name=in_active_language("commitment__template__matter__name"),
        )
        .annotate(
            verified=Count("pk"),
            on_time=Count("pk", filter=Q(verified_at__lte=F("commitment__verification_due_at"))),
        )
        .order_by()
    )
    for row in done:
        item = line(
            row["department_name"],
            row["matter_name"],
            row["commitment__department_id"],
            row["commitment__template__matter_id"],
        )
        item.verified, item.on_time = row["verified"], row["on_time"]
    return sorted(lines.values(), key=lambda item: (item.department, item.matter))


# Sampling -------------------------------------------------------------------------------------


def policy_in_force(*, grade: str, on: datetime.date | None = None) -> SamplingPolicy | None:
    """The spot-check ratios of a risk grade in force on a day (today unless told)."""
    on = on or timezone.localdate()
    return (
        SamplingPolicy.objects.filter(grade=grade, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def sampling_draws(
    *,
    department_ids: list[int],
    department: int | None = None,
    drawn_from: datetime.date | None = None,
    drawn_to: datetime.date | None = None,
    sort: str = "-drawn",
) -> QuerySet[SamplingDraw]:
    """The supervised departments' draws, filtered by department and day (Beijing time),
    newest first unless ``sort`` is ``drawn`` (the ``(department, drawn_at)`` index either
    way)."""
    rows = SamplingDraw.objects.filter(department_id__in=department_ids)
    if department:
        rows = rows.filter(department_id=department)
    if drawn_from:
        rows = rows.filter(drawn_at__date__gte=drawn_from)
    if drawn_to:
        rows = rows.filter(drawn_at__date__lte=drawn_to)
    order = ("drawn_at", "pk") if sort == "drawn" else ("-drawn_at", "-pk")
    return rows.select_related("department", "drawn_by").order_by(*order)


# Exempt cases waiting for a draw (ADR 0032) ----------------------------------------------------

EXEMPT_SORTS = ("closes", "exempted", "subject")
# The count of cases whose window closes soon: within this many working days.
EXEMPT_CLOSING_SOON_DAYS = 5


def exempt_waiting_rows(
    *,
    department_ids: list[int],
    department: int | None = None,
    matter: int | None = None,
    search: str = "",
    sort: str = "closes",
) -> QuerySet[VerificationExemption]:
    """The open exemptions of the given departments a spot-check draw may still pick (their
    commitment under verification, their window not closed), filtered and sorted by the
    moment the window closes (default), the exemption or the subject's name."""
    rows = VerificationExemption.objects.filter(
        status=VerificationExemption.Status.OPEN,
        spot_checks_drawn=True,
        commitment__status=Commitment.Status.UNDER_VERIFICATION,
        commitment__department_id__in=department_ids,
    )
    if department:
        rows = rows.filter(commitment__department_id=department)
    if matter:
        rows = rows.filter(commitment__template__matter_id=matter)
    if search:
        rows = rows.filter(
            Q(commitment__reference__icontains=search)
            | Q(commitment__subject__code__icontains=search)
            | Q(commitment__subject__name__icontains=search)
        )
    field_of = {
        "closes": "commitment__verification_due_at",
        "exempted": "exempted_at",
        "subject": "commitment__subject__name",
    }
    key = field_of.get(sort.lstrip("-"), field_of["closes"])
    order = (f"-{key}", "-pk") if sort.startswith("-") else (key, "pk")
    return rows.select_related(
        "commitment__subject", "commitment__template__matter", "commitment__department", "rule"
    ).order_by(*order)


def exempt_waiting_counts(
    *, rows: QuerySet[VerificationExemption], today: datetime.date | None = None
) -> dict[str, int]:
    """How many rows wait, and how many of them close within ``EXEMPT_CLOSING_SOON_DAYS``
    working days (by the end of that day, Beijing time): one query."""
    today = today or timezone.localdate()
    last_day = add_working_days(today, EXEMPT_CLOSING_SOON_DAYS).due_date
    until = timezone.make_aware(
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    )
    return rows.order_by().aggregate(
        waiting=Count("pk"),
        closing_soon=Count("pk", filter=Q(commitment__verification_due_at__lt=until)),
    )
