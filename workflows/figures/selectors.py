"""Fulfilment, late and rectification rates, aggregated in the database.

One grouped query over the commitments decided in the period (``status``/``decided_at``
index) gives a cell per kind, matter, department and month; every roll-up is a sum over
those cells, so the work grows with the number of groups, never with the commitments.

- *fulfilment rate*: fulfilled / decided (fulfilled or breached);
- *late rate*: decided after the deadline it was due by (the rectification's deadline for a
  rectified commitment, else the verification's) / decided;
- *rectification rate*: decided after a rectification order / decided;
- *exempt*: closed without verification under the matter's exemption rule (ADR 0032). They
  are counted apart, never in *decided*: nobody verified them, so they neither raise nor
  lower the fulfilment rate. An exempt commitment drawn for a spot check is verified and
  counted as decided like any other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from credit.record.rules import add_months
from directory.models import Department, Matter

DECIDED = (Commitment.Status.FULFILLED, Commitment.Status.BREACHED)
CLOSED = (*DECIDED, Commitment.Status.EXEMPT)
MAX_MONTHS = 36
DIMENSIONS = ("kind", "matter", "department", "month")


@dataclass
class Tally:
    decided: int = 0
    fulfilled: int = 0
    late: int = 0
    rectified: int = 0
    exempt: int = 0

    def add(self, other: Tally) -> None:
        self.decided += other.decided
        self.fulfilled += other.fulfilled
        self.late += other.late
        self.rectified += other.rectified
        self.exempt += other.exempt

    def _rate(self, part: int) -> float:
        return round(100 * part / self.decided, 1) if self.decided else 0.0

    @property
    def fulfilment_rate(self) -> float:
        return self._rate(self.fulfilled)

    @property
    def late_rate(self) -> float:
        return self._rate(self.late)

    @property
    def rectification_rate(self) -> float:
        return self._rate(self.rectified)

    def as_dict(self) -> dict:
        return {
            "decided": self.decided,
            "fulfilled": self.fulfilled,
            "late": self.late,
            "rectified": self.rectified,
            "exempt": self.exempt,
            "fulfilment_rate": self.fulfilment_rate,
            "late_rate": self.late_rate,
            "rectification_rate": self.rectification_rate,
        }


@dataclass
class Figures:
    """The period's cells, their totals by each dimension, and the names to show."""

    months: list[date]
    total: Tally = field(default_factory=Tally)
    cells: list[tuple[str, int, int | None, date, Tally]] = field(default_factory=list)
    by: dict[str, dict] = field(default_factory=dict)
    names: dict[str, dict] = field(default_factory=dict)

    def rows(self, dimension: str) -> list[tuple[str, Tally]]:
        """(name, tally) by one dimension, in the name's order (months in time order)."""
        tallies = self.by[dimension]
        names = self.names[dimension]
        keys = self.months if dimension == "month" else sorted(tallies, key=lambda k: names[k])
        return [(names[key], tallies.get(key, Tally())) for key in keys]


def month_list(*, until: date, months: int) -> list[date]:
    last = until.replace(day=1)
    return [add_months(last, -offset) for offset in range(months - 1, -1, -1)]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date().replace(day=1)
    return value.replace(day=1)


def fulfilment_figures(*, until: date, months: int = 12) -> Figures:
    """The figures of the ``months`` calendar months up to the one of ``until`` (city time)."""
    months = min(max(int(months), 1), MAX_MONTHS)
    month_days = month_list(until=until, months=months)
    start = timezone.make_aware(datetime.combine(month_days[0], time.min))
    end = timezone.make_aware(datetime.combine(add_months(month_days[-1], 1), time.min))
    verified = Q(status__in=DECIDED)
    late = verified & (
        Q(rectification__isnull=True, decided_at__gt=F("verification_due_at"))
        | Q(rectification__isnull=False, decided_at__gt=F("rectification__due_at"))
    )
    rows = (
        Commitment.objects.filter(status__in=CLOSED, decided_at__gte=start, decided_at__lt=end)
        .annotate(month=TruncMonth("decided_at"))
        .values("template__kind", "template__matter_id", "department_id", "month")
        .annotate(
            decided=Count("pk", filter=verified),
            fulfilled=Count("pk", filter=Q(status=Commitment.Status.FULFILLED)),
            late=Count("pk", filter=late),
            rectified=Count("pk", filter=verified & Q(rectification__isnull=False)),
            exempt=Count("pk", filter=Q(status=Commitment.Status.EXEMPT)),
        )
        .order_by()
    )
    figures = Figures(months=month_days, by={name: defaultdict(Tally) for name in DIMENSIONS})
    for row in rows:
        tally = Tally(
            row["decided"], row["fulfilled"], row["late"], row["rectified"], row["exempt"]
        )
        key = (
            row["template__kind"],
            row["template__matter_id"],
            row["department_id"],
            _as_date(row["month"]),
        )
        figures.cells.append((*key, tally))
        figures.total.add(tally)
        for name, value in zip(DIMENSIONS, key, strict=True):
            figures.by[name][value].add(tally)
    figures.cells.sort(key=lambda cell: (cell[3], cell[0], cell[1], cell[2] or 0))
    figures.names = {
        "kind": {kind: str(label) for kind, label in CommitmentTemplate.Kind.choices},
        "matter": {m.pk: m.name for m in Matter.objects.filter(pk__in=list(figures.by["matter"]))},
        "department": {
            None: str(_("No department")),
            **{
                d.pk: d.name
                for d in Department.objects.filter(pk__in=list(figures.by["department"]))
            },
        },
        "month": {month: month.strftime("%Y-%m") for month in month_days},
    }
    for kind in figures.by["kind"]:
        figures.names["kind"].setdefault(kind, kind)
    return figures
