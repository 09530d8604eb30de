"""Service levels: warnings before a verification falls due, and the supervisors' dashboard.

The warning is a sweep (run by beat with the timers) over the queue index: every open task
whose warning instant has passed and whose due time has not gets one message to its holder,
or to the department's regulators while it waits in the queue. Escalation at the due time is
the flow's own timer (``InformCommitFlow.verification_overdue``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.lifecycle.models import Verification
from directory.models import RegulatorMembership
from directory.selectors import active_members
from workflows.models import VerificationTaskIndex
from workflows.notify import notify_reminder

REMINDER_BATCH = 500
AGE_BUCKETS = ((5, "0–5"), (10, "6–10"), (20, "11–20"), (None, "> 20"))


def verification_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Warn about every verification falling due soon, once each; the count warned."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        rows = list(
            VerificationTaskIndex.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now)
            .select_related("owner", "department")
            .order_by("remind_at")[:REMINDER_BATCH]
        )
        members: dict[int, list[AbstractBaseUser]] = {}
        for row in rows:
            if row.owner is not None and row.owner.is_active:
                recipients = [row.owner]
            else:
                if row.department_id not in members:
                    members[row.department_id] = [
                        membership.user
                        for membership in active_members(
                            department=row.department, role=RegulatorMembership.Role.REGULATOR
                        )
                    ]
                recipients = members[row.department_id]
            for user in recipients:
                notify_reminder(row=row, recipient=user)
            sent += 1
        VerificationTaskIndex.objects.filter(task_id__in=[row.task_id for row in rows]).update(
            reminded_at=now
        )
    return sent


# Dashboard ------------------------------------------------------------------------------------


@dataclass
class SlaLine:
    department: str
    matter: str
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

    def line(department: str, matter: str) -> SlaLine:
        return lines.setdefault((department, matter), SlaLine(department, matter))

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
        .values("department__name", "matter__name")
        .annotate(backlog=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)), **age_counts)
        .order_by("department__name", "matter__name")
    )
    for row in open_rows:
        item = line(row["department__name"], row["matter__name"])
        item.backlog, item.overdue = row["backlog"], row["overdue"]
        item.ages = [row[f"age_{position}"] for position in range(len(AGE_BUCKETS))]
    done = (
        Verification.objects.filter(commitment__department_id__in=department_ids)
        .values("commitment__department__name", "commitment__template__matter__name")
        .annotate(
            verified=Count("pk"),
            on_time=Count("pk", filter=Q(verified_at__lte=F("commitment__verification_due_at"))),
        )
        .order_by()
    )
    for row in done:
        item = line(row["commitment__department__name"], row["commitment__template__matter__name"])
        item.verified, item.on_time = row["verified"], row["on_time"]
    return sorted(lines.values(), key=lambda item: (item.department, item.matter))


LABEL_WIDTH = 200


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float
    text_x: float
    segments: tuple = ()


def _frame(bars: list[Bar], width: int, row: int) -> dict:
    height = max(row * len(bars), row)
    return {
        "bars": bars,
        "height": height,
        "width": width,
        "view_width": width + LABEL_WIDTH + 60,
        "view_height": height + 4,
    }


def bar_chart(items: list[tuple[str, float, str]], *, width: int = 360, row: int = 26) -> dict:
    """Coordinates of a horizontal bar chart drawn as server-side SVG (no script)."""
    top = max((value for _label, value, _text in items), default=0) or 1
    bars = []
    for index, (label, value, text) in enumerate(items):
        bar_width = round(width * value / top, 1)
        bars.append(Bar(label, value, text, index * row, bar_width, LABEL_WIDTH + bar_width + 6))
    return _frame(bars, width, row)


def stacked_chart(items: list[tuple[str, list[int]]], *, width: int = 360, row: int = 26) -> dict:
    """A stacked bar per item (ageing buckets), scaled to the largest total."""
    top = max((sum(parts) for _label, parts in items), default=0) or 1
    bars = []
    for index, (label, parts) in enumerate(items):
        x = float(LABEL_WIDTH)
        segments = []
        for position, part in enumerate(parts):
            part_width = round(width * part / top, 1)
            segments.append({"x": x, "width": part_width, "value": part, "bucket": position})
            x += part_width
        total = sum(parts)
        bars.append(
            Bar(label, total, str(total), index * row, x - LABEL_WIDTH, x + 6, tuple(segments))
        )
    chart = _frame(bars, width, row)
    chart["legend"] = [_("%(label)s days") % {"label": label} for _days, label in AGE_BUCKETS]
    return chart
