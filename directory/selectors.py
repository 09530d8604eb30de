"""Reads of who and where: the subjects a user provenly represents, a regulator's departments, and
the department competent for a matter in a region."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from directory.compiled import CompiledQuery
from directory.memo import memo_forget, scoped_memo
from directory.models import (
    Competence,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    Subject,
)
from directory.representation.models import Representation
from directory.representation.selectors import effective_q, representation_effective_list


def subject_list(
    *, represented_by: AbstractBaseUser, at: datetime | None = None
) -> QuerySet[Subject]:
    """The subjects the user actively and provenly represents: proven, not revoked, within
    the period (an agent's scope of matters is checked when signing). Not cached: a
    revocation is effective on the next request."""
    if not represented_by.is_authenticated:
        return Subject.objects.none()
    represented = Representation.objects.filter(
        effective_q(at or timezone.now()), user=represented_by
    ).values("subject_id")
    return Subject.objects.filter(pk__in=represented).select_related("region")


def subject_list_for_drafts(*, user: AbstractBaseUser) -> QuerySet[Subject]:
    """The subjects the user may prepare drafts for: those represented, and those claimed or
    awaiting a letter's review (which may not be signed for)."""
    if not user.is_authenticated:
        return Subject.objects.none()
    unproven = Representation.objects.filter(
        user=user, status__in=Representation.UNPROVEN_STATUSES
    ).values("subject_id")
    return (
        subject_list(represented_by=user) | Subject.objects.filter(pk__in=unproven)
    ).select_related("region")


def department_ids_of(user: AbstractBaseUser, *, role: str | None = None) -> list[int]:
    qs = RegulatorMembership.objects.filter(user=user, is_active=True)
    if role:
        qs = qs.filter(role=role)
    return list(qs.values_list("department_id", flat=True))


# The key of a seat's check in an operation's memo (forgotten when a membership is written).
SEAT_MEMO = "directory.seat"


@receiver([post_save, post_delete], sender=RegulatorMembership)
def _forget_seats(**_kwargs) -> None:
    memo_forget(SEAT_MEMO)


def _seats(user_id: int, department_id: int, role: str | None = None) -> QuerySet:
    """The user's active seat in the department (in ``role`` when given), asked as
    ``exists()`` asks: one row at most, unordered."""
    memberships = RegulatorMembership.objects.filter(
        user_id=user_id, department_id=department_id, is_active=True
    )
    if role is not None:
        memberships = memberships.filter(role=role)
    return memberships.order_by().values_list("pk")[:1]


# Asked at every step of a regulator's action: compiled once (``directory.compiled``).
_SEAT = CompiledQuery(_seats, -1_730_100_401, -1_730_100_402)
_SEAT_IN_ROLE = CompiledQuery(_seats, -1_730_100_403, -1_730_100_404, "\x00seat role\x00")


def is_active_member(*, user_id: int, department_id: int, role: str | None = None) -> bool:
    """Whether the user holds an active seat in the department (in ``role`` when given);
    read once per ``memo_scope`` (a regulator's action checks it at every step)."""

    def load() -> bool:
        if role is None:
            return bool(_SEAT.values(user_id, department_id))
        return bool(_SEAT_IN_ROLE.values(user_id, department_id, role))

    return scoped_memo((SEAT_MEMO, user_id, department_id, role), load)


def is_regulator(user: AbstractBaseUser) -> bool:
    return RegulatorMembership.objects.filter(user=user, is_active=True).exists()


def _lineage_keys(region: Region) -> tuple[list[int], bool]:
    """The keys of the region and of its ancestors known without a query, nearest first (those
    loaded with it, then the key of the first one not loaded), and whether that is all of them.
    """
    keys, node = [region.pk], region
    while node.parent_id is not None and node.parent_id not in keys:
        keys.append(node.parent_id)
        if not Region.parent.is_cached(node):
            return keys, False
        node = node.parent
    return keys, True


def competent_department(*, matter: Matter, region: Region) -> Department | None:
    """The department competent for the matter in the region or its nearest ancestor.

    The competences are asked for first for the region and the ancestors known without a
    query: one query when one of them is competent, as is usual; only otherwise are the
    farther ancestors read and asked for.
    """
    keys, is_whole = _lineage_keys(region)
    department = _nearest_competent(matter=matter, region_ids=keys)
    if department is not None or is_whole:
        return department
    farther = [node.pk for node in region.lineage()[len(keys) :]]
    return _nearest_competent(matter=matter, region_ids=farther) if farther else None


def _competences(matter_id: int, *region_ids: int) -> QuerySet[Competence]:
    return Competence.objects.filter(
        matter_id=matter_id, region_id__in=list(region_ids)
    ).select_related("department")


# Asked for every draft and every routing, for a region and its parent most often: compiled
# once for each number of regions (directory.compiled).
_COMPETENCES = {
    count: CompiledQuery(
        _competences, -1_730_100_701, *range(-1_730_100_711, -1_730_100_711 - count, -1)
    )
    for count in (1, 2, 3)
}


def _nearest_competent(*, matter: Matter, region_ids: list[int]) -> Department | None:
    compiled = _COMPETENCES.get(len(region_ids))
    competences = (
        compiled.models(matter.pk, *region_ids)
        if compiled is not None
        else _competences(matter.pk, *region_ids)
    )
    by_region = {c.region_id: c.department for c in competences}
    return next((by_region[pk] for pk in region_ids if pk in by_region), None)


def active_members(*, department: Department, role: str) -> QuerySet[RegulatorMembership]:
    return RegulatorMembership.objects.filter(
        department=department, role=role, is_active=True, user__is_active=True
    ).select_related("user")


def department_member_users(*, department_id: int) -> list[AbstractBaseUser]:
    """Every active member of a department, supervisors included, in the order they joined."""
    return [
        membership.user
        for membership in RegulatorMembership.objects.filter(
            department_id=department_id, is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]


def subject_representative_users(*, subject_id: int) -> list[AbstractBaseUser]:
    """Every user who provenly represents a subject now, in the order they were recorded."""
    return [
        representation.user
        for representation in representation_effective_list(subject_id=subject_id).order_by("pk")
    ]
