"""Reads of the queue index for a viewer: inbox, department queue, team list, counts, workload.

Every list is sorted by due time, then priority, then task, and paged by keyset (the last
row's sort key), so page 1 and page 2,000 cost one indexed range scan each; counts in the
menu stop at ``COUNT_CAP`` so they too cost the same with 100,000 open tasks.
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from commitments.catalogue.models import VerificationMethod
from directory.calendar import add_working_days
from directory.models import Department, Matter, Region, RegulatorMembership
from workflows.verification.models import TaskPriority, VerificationTaskIndex
from workflows.verification.selectors.delegation import delegations_in_force
from workflows.verification.selectors.seats import Seats, seats_of, supervised_departments

COUNT_CAP = 1000
PAGE_SIZE = 50
ORDER = ("due_at", "priority", "task_id")


class Scope:
    INBOX = "inbox"
    QUEUE = "queue"
    TEAM = "team"


@dataclass
class QueueFilters:
    """What the filter form asked for; empty values do not filter."""

    department: int | None = None
    matter: int | None = None
    region: int | None = None
    status: str = ""  # queued | assigned | escalated | spot_check
    due: str = ""  # overdue | today | week
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    grade: str = ""
    method: str = ""
    owner: int | None = None
    q: str = ""


def _visible(
    user: AbstractBaseUser, scope: str, seats: Seats | None = None
) -> QuerySet[VerificationTaskIndex]:
    rows = VerificationTaskIndex.objects.all()
    if not user.is_authenticated or not user.is_active:
        return rows.none()
    seats = seats or seats_of(user)
    if scope == Scope.INBOX:
        return rows.filter(owner=user, department_id__in=seats.department_ids)
    if scope == Scope.QUEUE:
        return rows.filter(owner__isnull=True, department_id__in=seats.department_ids)
    return rows.filter(department_id__in=seats.supervised_ids)


def task_rows(
    *,
    user: AbstractBaseUser,
    scope: str,
    filters: QueueFilters | None = None,
    seats: Seats | None = None,
) -> QuerySet[VerificationTaskIndex]:
    """The open tasks a viewer may list in ``scope``, filtered and sorted (unpaged)."""
    filters = filters or QueueFilters()
    rows = _visible(user, scope, seats)
    if scope == Scope.TEAM:
        rows = rows.select_related("owner")
    if filters.department:
        rows = rows.filter(department_id=filters.department)
    if filters.matter:
        rows = rows.filter(matter_id=filters.matter)
    if filters.region:
        rows = rows.filter(region_id=filters.region)
    if filters.grade:
        rows = rows.filter(risk_grade=filters.grade)
    if filters.method:
        rows = rows.filter(method=filters.method)
    if filters.owner:
        rows = rows.filter(owner_id=filters.owner)
    if filters.status == "queued":
        rows = rows.filter(owner__isnull=True)
    elif filters.status == "assigned":
        rows = rows.filter(owner__isnull=False)
    elif filters.status == "escalated":
        rows = rows.filter(is_escalated=True)
    elif filters.status == "spot_check":
        rows = rows.filter(is_spot_check=True)
    now = timezone.now()
    if filters.due == "overdue":
        rows = rows.filter(due_at__lt=now)
    elif filters.due == "today":
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
        rows = rows.filter(due_at__lte=end)
    elif filters.due == "week":
        rows = rows.filter(due_at__lte=now + datetime.timedelta(days=7))
    tz = timezone.get_current_timezone()
    if filters.due_from:
        rows = rows.filter(
            due_at__gte=datetime.datetime.combine(filters.due_from, datetime.time.min, tzinfo=tz)
        )
    if filters.due_to:
        rows = rows.filter(
            due_at__lte=datetime.datetime.combine(filters.due_to, datetime.time.max, tzinfo=tz)
        )
    text = filters.q.strip()
    if text:
        rows = rows.filter(
            Q(reference__istartswith=text)
            | Q(subject_code__istartswith=text)
            | Q(subject_name__icontains=text)
        )
    return rows.order_by(*ORDER)


# Keyset pages ---------------------------------------------------------------------------------

# The sorts a list offers, each a column and its tie-breakers; each has an index per scope
# (``VerificationTaskIndex.Meta.indexes``), so a page is one range scan in either direction.
SORTS: dict[str, tuple[str, ...]] = {
    "due": ORDER,
    "received": ("created_at", "task_id"),
    "subject": ("subject_name", "task_id"),
    # the commitment's title as the row shows it, in the reader's language (annotated)
    "matter": ("matter_title", "task_id"),
}
_DATETIME_FIELDS = {"due_at", "created_at"}
_INT_FIELDS = {"priority", "task_id"}


def sort_fields(sort: str) -> tuple[str, ...]:
    """The ORDER BY of a sort key (``due``, ``-received`` …); an unknown key sorts by due."""
    return SORTS.get(sort.lstrip("-"), ORDER)


def matter_title(language: str | None = None):
    """The commitment's title a row shows in ``language`` (the active one): the Chinese
    column, or the English one falling back to the Chinese as the catalogue does (ADR 0015).
    Each is indexed per list shape (``wf_index_*_matter_zh`` / ``_en``), the English one on
    this very expression."""
    if (language or get_language() or "zh-hans").startswith("en"):
        return Coalesce(
            F("template_title_en"), F("template_title_zh_hans"), output_field=CharField()
        )
    return F("template_title_zh_hans")


def _with_sort_columns(rows: QuerySet, sort: str) -> QuerySet:
    if sort.lstrip("-") == "matter":
        return rows.annotate(matter_title=matter_title())
    return rows


def ordered(rows: QuerySet[VerificationTaskIndex], sort: str) -> QuerySet[VerificationTaskIndex]:
    """The rows in the order of ``sort`` (a leading ``-``: descending, on the same index)."""
    fields = sort_fields(sort)
    rows = _with_sort_columns(rows, sort)
    return rows.order_by(*(f"-{name}" for name in fields) if sort.startswith("-") else fields)


def encode_cursor(row: VerificationTaskIndex, sort: str = "due") -> str:
    """The keyset cursor of a row: its values of the sort's columns, URL-safe."""
    values = []
    for name in sort_fields(sort):
        value = getattr(row, name)
        values.append(value.isoformat() if isinstance(value, datetime.datetime) else value)
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str = "due") -> tuple | None:
    """The values a cursor holds, checked against the sort's columns (None if it is not one
    of ours: a tampered or stale link starts from the first page)."""
    fields = sort_fields(sort)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    key = []
    for name, value in zip(fields, values, strict=True):
        if name in _DATETIME_FIELDS:
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is None:
                return None
            key.append(parsed)
        elif name in _INT_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool):
                return None
            key.append(value)
        elif isinstance(value, str):
            key.append(value)
        else:
            return None
    return tuple(key)


@dataclass
class KeysetPage:
    rows: list[VerificationTaskIndex] = field(default_factory=list)
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True


def _beyond(key: tuple, *, later: bool, fields: tuple[str, ...] = ORDER) -> Q:
    """Rows after (``later``) or before a sort key, in the ascending order of the columns:
    the row comparison spelled out, led by a plain bound on the first column for the index."""
    op = "gt" if later else "lt"
    alternatives = Q()
    for position, name in enumerate(fields):
        equal = {fields[i]: key[i] for i in range(position)}
        alternatives |= Q(**equal, **{f"{name}__{op}": key[position]})
    return Q(alternatives, **{f"{fields[0]}__{op}e": key[0]})


def keyset_page(
    rows: QuerySet[VerificationTaskIndex],
    *,
    after: str = "",
    before: str = "",
    size: int = PAGE_SIZE,
    descending: bool = False,
    sort: str = "due",
) -> KeysetPage:
    """One page after (or before) a cursor; fetches one extra row to know if more follow.

    ``sort`` names the column (``SORTS``); ``descending`` reads the same index backwards."""
    sort = sort.lstrip("-")
    fields = sort_fields(sort)
    rows = _with_sort_columns(rows, sort)
    forward = [f"-{name}" for name in fields] if descending else list(fields)
    backward = list(fields) if descending else [f"-{name}" for name in fields]
    key = _decode_cursor(after, sort) if after else None
    back = _decode_cursor(before, sort) if before and not key else None
    if back is not None:
        fetched = list(
            rows.filter(_beyond(back, later=descending, fields=fields)).order_by(*backward)[
                : size + 1
            ]
        )
        has_more_before = len(fetched) > size
        page_rows = list(reversed(fetched[:size]))
        return KeysetPage(
            rows=page_rows,
            next_cursor=encode_cursor(page_rows[-1], sort) if page_rows else "",
            previous_cursor=(
                encode_cursor(page_rows[0], sort) if page_rows and has_more_before else ""
            ),
            is_first=not has_more_before,
        )
    rows = rows.order_by(*forward)
    if key is not None:
        rows = rows.filter(_beyond(key, later=not descending, fields=fields))
    fetched = list(rows[: size + 1])
    page_rows = fetched[:size]
    return KeysetPage(
        rows=page_rows,
        next_cursor=encode_cursor(page_rows[-1], sort) if len(fetched) > size else "",
        previous_cursor=encode_cursor(page_rows[0], sort) if key is not None and page_rows else "",
        is_first=key is None,
    )


def add_display_values(rows: list[VerificationTaskIndex]) -> None:
    """Set the texts a list row shows (dates, labels), so the template only prints them.

    The list is the hottest page of the workspace; formatting here is several times cheaper
    than template filters and method calls per cell.
    """
    now = timezone.now()
    priorities = dict(TaskPriority.choices)
    methods = dict(VerificationMethod.choices)
    for row in rows:
        due = timezone.localtime(row.due_at)
        row.due_text = due.strftime("%Y-%m-%d")
        row.is_overdue = row.due_at < now
        row.created_text = timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M")
        row.priority_label = priorities.get(row.priority, row.priority)
        row.method_label = methods.get(row.method, row.method)


# Counts and workload ----------------------------------------------------------------------------


def capped_count(rows: QuerySet, cap: int | None = None) -> int:
    """COUNT over at most ``cap`` rows: the menu shows "999+" beyond that, at a fixed cost."""
    return rows.order_by()[: cap or COUNT_CAP].count()


def nav_counts(*, user: AbstractBaseUser, seats: Seats | None = None) -> dict[str, int]:
    """The inbox and queue counts of the menu, in one statement, each capped."""
    seats = seats or seats_of(user)
    if not seats.department_ids:
        return {"inbox": 0, "queue": 0, "cap": COUNT_CAP}
    rows = VerificationTaskIndex.objects.filter(department_id__in=seats.department_ids).order_by()
    parts, params = [], []
    for subset in (rows.filter(owner=user), rows.filter(owner__isnull=True)):
        sql, subset_params = subset.values("task_id")[:COUNT_CAP].query.sql_with_params()
        # Only Django's own compiled SQL is interpolated; the values stay parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608
        params.extend(subset_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        inbox, queue = cursor.fetchone()
    return {"inbox": inbox, "queue": queue, "cap": COUNT_CAP}


def filter_choices(*, user: AbstractBaseUser, seats: Seats | None = None) -> dict:
    """Matters and regions the viewer's departments handle, for the filter form."""
    seats = seats or seats_of(user)
    department_ids = list(seats.department_ids)
    handled = Q(competences__department_id__in=department_ids) | Q(
        routing_rules__department_id__in=department_ids
    )
    return {
        "departments": list(seats.departments),
        "matters": list(Matter.objects.filter(handled).distinct().order_by("name")),
        "regions": list(
            Region.objects.filter(
                Q(competences__department_id__in=department_ids)
                | Q(routing_rules__department_id__in=department_ids)
                | Q(departments__pk__in=department_ids)
            )
            .distinct()
            .order_by("code")
        ),
    }


@dataclass
class MemberLoad:
    membership: RegulatorMembership
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    spot_checks: int = 0
    absent_until: datetime.datetime | None = None
    delegate: AbstractBaseUser | None = None


def team_workload(*, user: AbstractBaseUser) -> dict[Department, list[MemberLoad]]:
    """Each supervised department's members with their open, overdue and due-soon counts."""
    departments = list(supervised_departments(user=user))
    ids = [department.pk for department in departments]
    now = timezone.now()
    loads = {
        (row["department_id"], row["owner_id"]): row
        for row in VerificationTaskIndex.objects.filter(department_id__in=ids)
        .values("department_id", "owner_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            due_soon=Count(
                "pk", filter=Q(due_at__gte=now, due_at__lt=now + datetime.timedelta(days=3))
            ),
            spot_checks=Count("pk", filter=Q(is_spot_check=True)),
        )
        .order_by()
    }
    absences = {
        (delegation.department_id, delegation.delegator_id): delegation
        for delegation in delegations_in_force()
        .filter(department_id__in=ids)
        .select_related("delegate")
    }
    members = (
        RegulatorMembership.objects.filter(department_id__in=ids, is_active=True)
        .select_related("user")
        .order_by("department_id", "role", "user__username")
    )
    result: dict[Department, list[MemberLoad]] = {department: [] for department in departments}
    by_pk = {department.pk: department for department in departments}
    for membership in members:
        load = loads.get((membership.department_id, membership.user_id), {})
        absence = absences.get((membership.department_id, membership.user_id))
        result[by_pk[membership.department_id]].append(
            MemberLoad(
                membership=membership,
                open=load.get("open", 0),
                overdue=load.get("overdue", 0),
                due_soon=load.get("due_soon", 0),
                spot_checks=load.get("spot_checks", 0),
                absent_until=absence.ends if absence else None,
                delegate=absence.delegate if absence else None,
            )
        )
    for department in departments:
        queued = loads.get((department.pk, None), {})
        department.queued = queued.get("open", 0)
    return result


@dataclass
class Urgency:
    """How many of a list's open tasks are overdue, and due within a few working days."""

    overdue: int
    due_soon: int
    due_soon_until: datetime.date
    due_soon_days: int


def urgency_counts(
    *,
    user: AbstractBaseUser,
    scope: str,
    working_days: int,
    seats: Seats | None = None,
) -> Urgency:
    """Overdue and due-soon counts of the inbox or queue: two capped index range scans."""
    today = timezone.localdate()
    until = add_working_days(today, working_days)
    rows = _visible(user, scope, seats)
    now = timezone.now()
    return Urgency(
        overdue=capped_count(rows.filter(due_at__lt=now)),
        due_soon=capped_count(rows.filter(due_at__gte=now, due_at__lte=until.end_of_day())),
        due_soon_until=until.due_date,
        due_soon_days=working_days,
    )
