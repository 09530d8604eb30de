"""Who works where: a user's seats in departments, membership checks, a task's department.

Read by the flow's task nodes (who may see, claim or work a task), by the services before
they change a task, and by the pages for the menu and the choices of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from commitments.lifecycle.models import Commitment
from directory.models import Department, RegulatorMembership
from directory.selectors import department_ids_of


@dataclass(frozen=True)
class Seats:
    """The departments a user works in (active memberships), read once per request."""

    department_ids: tuple[int, ...]
    supervised_ids: tuple[int, ...]
    departments: tuple[Department, ...]


def seats_of(user: AbstractBaseUser) -> Seats:
    if not user.is_authenticated or not user.is_active:
        return Seats((), (), ())
    memberships = list(
        RegulatorMembership.objects.filter(user=user, is_active=True)
        .select_related("department")
        .order_by("department__name")
    )
    return Seats(
        tuple(m.department_id for m in memberships),
        tuple(
            m.department_id for m in memberships if m.role == RegulatorMembership.Role.SUPERVISOR
        ),
        tuple(m.department for m in memberships),
    )


def is_department_member(
    user: AbstractBaseUser | None, department_id: int | None, *, role: str | None = None
) -> bool:
    """Whether ``user`` is an active member of the department (in ``role`` when given)."""
    if user is None or not user.is_authenticated or not user.is_active or department_id is None:
        return False
    memberships = RegulatorMembership.objects.filter(
        user=user, department_id=department_id, is_active=True
    )
    if role is not None:
        memberships = memberships.filter(role=role)
    return memberships.exists()


def task_department_id(task) -> int | None:
    """The department that owns a task's commitment (None if the process has none)."""
    return (
        Commitment.objects.filter(process_id=task.process_id)
        .values_list("department_id", flat=True)
        .first()
    )


def supervised_departments(*, user: AbstractBaseUser) -> QuerySet[Department]:
    return Department.objects.filter(
        pk__in=department_ids_of(user, role=RegulatorMembership.Role.SUPERVISOR)
    )


def assignable_members(*, department_ids: list[int]) -> QuerySet[RegulatorMembership]:
    """Active people of the departments, for the reassign and delegate choices."""
    return (
        RegulatorMembership.objects.filter(
            department_id__in=department_ids, is_active=True, user__is_active=True
        )
        .select_related("user", "department")
        .order_by("department__name", "user__username")
    )
