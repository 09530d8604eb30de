"""Who works where: a user's seats in departments, membership checks, a task's department.

Read by the flow's task nodes (who may see, claim or work a task), by the services before
they change a task, and by the pages for the menu and the choices of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from commitments.lifecycle.models import Commitment
from directory.memo import memo_forget, scoped_memo
from directory.models import Department, RegulatorMembership
from directory.selectors import department_ids_of, is_active_member

# The key of a process's commitment in an operation's memo (forgotten when one is saved).
TASK_COMMITMENT_MEMO = "workflows.task_commitment"


@receiver([post_save, post_delete], sender=Commitment)
def _forget_task_commitments(**_kwargs) -> None:
    memo_forget(TASK_COMMITMENT_MEMO)


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
    return is_active_member(user_id=user.pk, department_id=department_id, role=role)


def task_commitment(process_id: int | None) -> tuple[int, int | None] | None:
    """(pk, department pk) of the commitment of a task's process, once per ``memo_scope``."""

    def load() -> tuple[int, int | None] | None:
        return (
            Commitment.objects.filter(process_id=process_id)
            .values_list("pk", "department_id")
            .first()
        )

    return scoped_memo((TASK_COMMITMENT_MEMO, process_id), load)


def task_department_id(task) -> int | None:
    """The department that owns a task's commitment (None if the process has none)."""
    found = task_commitment(task.process_id)
    return found[1] if found is not None else None


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
