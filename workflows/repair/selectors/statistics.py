"""City statistics: commitments, verifications, warnings, breaches, objections and repairs by
month and by department — one grouped query per series, whatever the volume.

Served by the officers' repair pages (``repair_office:statistics``) to supervisors and
administrators. It reads every layer (commitments, the credit record and the repair cases),
so it sits on top, in ``workflows``, with the cases it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import models
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.lifecycle.models import Commitment, Verification
from commitments.obligations.models import WarningSchedule
from credit.record.models.breaches import Breach
from credit.record.rules import add_months
from directory.models import Department
from workflows.repair.models import Objection, RepairApplication

# name → (label, queryset, date field, department path)
SERIES = {
    "commitments": (
        _("Commitments signed"),
        lambda: Commitment.objects.filter(signed_at__isnull=False),
        "signed_at",
        "department_id",
    ),
    "verifications": (
        _("Verifications"),
        lambda: Verification.objects.all(),
        "verified_at",
        "commitment__department_id",
    ),
    "warnings": (
        _("Warnings sent"),
        lambda: WarningSchedule.objects.filter(
            kind=WarningSchedule.Kind.WARNING, status=WarningSchedule.Status.DONE
        ),
        "processed_at",
        "obligation__commitment__department_id",
    ),
    "breaches": (
        _("Breaches recorded"),
        lambda: Breach.objects.all(),
        "record_date",
        "department_id",
    ),
    "objections": (_("Objections"), lambda: Objection.objects.all(), "filed_on", "department_id"),
    "repairs": (
        _("Repair applications"),
        lambda: RepairApplication.objects.all(),
        "submitted_on",
        "department_id",
    ),
}


@dataclass
class Statistics:
    months: list[date]
    departments: dict[int | None, str]
    by_month: dict[str, dict[date, int]] = field(default_factory=dict)
    by_department: dict[str, dict[int | None, int]] = field(default_factory=dict)
    cells: list[tuple[str, date, int | None, int]] = field(default_factory=list)

    def labels(self) -> dict[str, str]:
        return {name: str(spec[0]) for name, spec in SERIES.items()}


def _month(value) -> date:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)


def month_range(*, until: date, months: int) -> list[date]:
    last = until.replace(day=1)
    return [add_months(last, -offset) for offset in range(months - 1, -1, -1)]


def city_statistics(*, until: date, months: int = 12) -> Statistics:
    month_list = month_range(until=until, months=months)
    start, end = month_list[0], add_months(month_list[-1], 1)
    stats = Statistics(
        months=month_list,
        departments={d.pk: d.name for d in Department.objects.order_by("code")},
    )
    stats.departments.setdefault(None, str(_("No department")))
    for name, (_label, queryset, date_field, department) in SERIES.items():
        low, high = start, end
        model_field = queryset().model._meta.get_field(date_field)
        if isinstance(model_field, models.DateTimeField):  # from the city's midnight
            low, high = (
                timezone.make_aware(datetime.combine(day, time.min)) for day in (start, end)
            )
        qs: QuerySet = queryset().filter(**{f"{date_field}__gte": low, f"{date_field}__lt": high})
        rows = (
            qs.annotate(month=TruncMonth(date_field))
            .values("month", department)
            .annotate(n=Count("pk"))
            .order_by()
        )
        by_month = dict.fromkeys(month_list, 0)
        by_department: dict[int | None, int] = {}
        for row in rows:
            month, dept, n = _month(row["month"]), row[department], row["n"]
            by_month[month] = by_month.get(month, 0) + n
            by_department[dept] = by_department.get(dept, 0) + n
            stats.cells.append((name, month, dept, n))
        stats.by_month[name] = by_month
        stats.by_department[name] = by_department
    stats.cells.sort(key=lambda c: (c[0], c[1], -1 if c[2] is None else c[2]))
    return stats
