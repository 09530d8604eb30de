"""Absences: who stands in for whom, now, and the delegations a page lists.

Reads only; the writes are in ``workflows.verification.services.delegation``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from workflows.verification.models import Delegation

MAX_CHAIN = 10


def delegations_in_force(*, at: datetime.datetime | None = None) -> QuerySet[Delegation]:
    at = at or timezone.now()
    return Delegation.objects.filter(starts__lte=at, ends__gt=at, revoked_at__isnull=True)


def absent_user_ids(*, department_id: int, at: datetime.datetime | None = None) -> set[int]:
    """Users of the department who have handed their work to a delegate right now."""
    return set(
        delegations_in_force(at=at)
        .filter(department_id=department_id)
        .values_list("delegator_id", flat=True)
    )


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
