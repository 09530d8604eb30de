"""Absences: who stands in for whom, now, and the delegations a page lists.

Reads only; the writes are in ``workflows.verification.services.delegation``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from workflows.verification.models import Delegation

MAX_CHAIN = 10


def delegations_in_force(*, at: datetime.datetime | None = None) -> QuerySet[Delegation]:
    at = at or timezone.now()
    return Delegation.objects.filter(starts__lte=at, ends__gt=at, revoked_at__isnull=True)


def absent_users(*, department_id: int, at: datetime.datetime | None = None) -> QuerySet:
    """The ids of the department's users who have handed their work to a delegate right now,
    as a query (to filter another query with, in the same statement)."""
    return (
        delegations_in_force(at=at)
        .filter(department_id=department_id)
        .values_list("delegator_id", flat=True)
    )


def absent_user_ids(*, department_id: int, at: datetime.datetime | None = None) -> set[int]:
    """Users of the department who have handed their work to a delegate right now."""
    return set(absent_users(department_id=department_id, at=at))


def stand_in(*, user_id: int, department_id: int, at: datetime.datetime | None = None) -> int:
    """Who works for ``user_id`` now: the end of the delegation chain (the user if present)."""
    chain = {
        row["delegator_id"]: row["delegate_id"]
        for row in delegations_in_force(at=at)
        .filter(department_id=department_id)
        .values("delegator_id", "delegate_id")
    }
    seen = {user_id}
    current = user_id
    for _ in range(MAX_CHAIN):
        following = chain.get(current)
        if following is None or following in seen:
            break
        seen.add(following)
        current = following
    return current


def delegations_of(*, department_ids: Iterable[int]) -> QuerySet[Delegation]:
    """The departments' delegations not revoked and not yet over, for the absences page."""
    return (
        Delegation.objects.filter(department_id__in=list(department_ids))
        .filter(revoked_at__isnull=True, ends__gt=timezone.now())
        .select_related("delegator", "delegate", "department", "created_by")
    )


# The absences list ----------------------------------------------------------------------------

DELEGATION_SORTS = {"starts": "starts", "ends": "ends"}


def delegation_rows(
    *,
    department_ids: Iterable[int],
    department: int | None = None,
    period: str = "",
    sort: str = "starts",
    at: datetime.datetime | None = None,
) -> QuerySet[Delegation]:
    """The departments' delegations for the absences list: ``period`` is ``now`` (in force),
    ``coming``, ``past`` (over or ended early) or '' (now and coming, the page's default);
    sorted by start or end either way (``-`` first), the primary key breaking ties."""
    at = at or timezone.now()
    rows = Delegation.objects.filter(department_id__in=list(department_ids))
    if department:
        rows = rows.filter(department_id=department)
    live = Q(revoked_at__isnull=True, ends__gt=at)
    if period == "now":
        rows = rows.filter(live, starts__lte=at)
    elif period == "coming":
        rows = rows.filter(live, starts__gt=at)
    elif period == "past":
        rows = rows.exclude(live)
    else:
        rows = rows.filter(live)
    column = DELEGATION_SORTS.get(sort.lstrip("-"), "starts")
    sign = "-" if sort.startswith("-") and sort.lstrip("-") in DELEGATION_SORTS else ""
    return rows.select_related("delegator", "delegate", "department", "created_by").order_by(
        f"{sign}{column}", f"{sign}pk"
    )


def delegation_counts(
    *, department_ids: Iterable[int], department: int | None = None, at=None
) -> dict[str, int]:
    """How many delegations are in force now, coming and past (one statement)."""
    at = at or timezone.now()
    rows = Delegation.objects.filter(department_id__in=list(department_ids))
    if department:
        rows = rows.filter(department_id=department)
    live = Q(revoked_at__isnull=True, ends__gt=at)
    return rows.aggregate(
        now=Count("pk", filter=live & Q(starts__lte=at)),
        coming=Count("pk", filter=live & Q(starts__gt=at)),
        past=Count("pk", filter=~live),
    )
