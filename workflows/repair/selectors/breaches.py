"""The breaches a department recorded, as its officers list them: filtered, sorted on an index
of the department's own rows, capped for the page (the CSV has them all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from credit.record.models.breaches import Breach
from credit.record.models.rules import BreachCategory

# Sort key → the breach's column; the primary key breaks ties. Each has a
# ``(department, column, id)`` index (credit migration ``breach_department_sort_indexes``), so
# the first page of a department reads that many rows whatever the city's total.
BREACH_SORTS = {
    "recorded": "record_date",
    "publicity": "publicity_max_until",
    "repair": "publicity_min_until",
}
DEFAULT_BREACH_SORT = "-recorded"


@dataclass(frozen=True)
class BreachFilters:
    """What the officers' breach list asked for; empty values do not filter."""

    department: int | None = None
    category: int | None = None
    status: str = ""  # one of Breach.Status, or "counting" for those that still weigh
    recorded_from: date | None = None
    recorded_to: date | None = None
    q: str = ""
    sort: str = DEFAULT_BREACH_SORT


def breach_categories_of(*, department_ids) -> QuerySet[BreachCategory]:
    """The categories the departments have recorded breaches of, for the filter."""
    return BreachCategory.objects.filter(breaches__department_id__in=department_ids).distinct()


def department_breaches(
    *, department_ids, filters: BreachFilters | None = None
) -> QuerySet[Breach]:
    """The breaches the departments designated (``Breach.department``), filtered and sorted.

    Only the given departments' rows: a department filter outside them matches nothing."""
    filters = filters or BreachFilters()
    rows = Breach.objects.filter(department_id__in=department_ids)
    if filters.department:
        rows = rows.filter(department_id=filters.department)
    if filters.category:
        rows = rows.filter(category_id=filters.category)
    if filters.status == "counting":
        rows = rows.filter(status__in=Breach.COUNTING)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.recorded_from:
        rows = rows.filter(record_date__gte=filters.recorded_from)
    if filters.recorded_to:
        rows = rows.filter(record_date__lte=filters.recorded_to)
    text = filters.q.strip()
    if text:
        rows = rows.filter(
            Q(subject__code__istartswith=text)
            | Q(subject__name__icontains=text)
            | Q(source_reference__istartswith=text)
        )
    key = filters.sort.lstrip("-")
    column = BREACH_SORTS.get(key, BREACH_SORTS[DEFAULT_BREACH_SORT.lstrip("-")])
    sign = "-" if (filters.sort if key in BREACH_SORTS else DEFAULT_BREACH_SORT)[0] == "-" else ""
    return rows.select_related("subject", "category", "department").order_by(
        f"{sign}{column}", f"{sign}pk"
    )
