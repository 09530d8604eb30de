"""Flow nodes of our own: a human task only the competent department can see and work.

viewflow's queues are permission-driven: anyone holding the permission could claim any task
by URL. Verification is a department's business, so every check here asks whether the user
is an active member of the department the commitment was handed to.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.timezone import now
from viewflow.workflow import flow

from commitments.lifecycle.models import Commitment
from directory.models import RegulatorMembership


def task_department_id(task) -> int | None:
    """The department that owns a task's commitment (None if the process has none)."""
    return (
        Commitment.objects.filter(process_id=task.process_id)
        .values_list("department_id", flat=True)
        .first()
    )


def is_department_member(
    user: AbstractBaseUser | None, department_id: int | None, *, role: str | None = None
) -> bool:
    if user is None or not user.is_authenticated or not user.is_active or department_id is None:
        return False
    memberships = RegulatorMembership.objects.filter(
        user=user, department_id=department_id, is_active=True
    )
    if role is not None:
        memberships = memberships.filter(role=role)
    return memberships.exists()


class DepartmentTaskView(flow.View):
    """A human task that only active members of the commitment's department may act on.

    We serve our own task pages, so the node carries no viewflow view. It also stamps
    ``Task.assigned`` on automatic assignment, which viewflow 2.4 leaves empty.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(view=None, **kwargs)

    def calc_owner(self, activation):
        owner = super().calc_owner(activation)
        if owner is not None:
            activation.task.assigned = now()
        return owner

    def can_view(self, user, task) -> bool:
        return is_department_member(user, task_department_id(task))

    def can_assign(self, user, task) -> bool:
        """A member may claim a queued task if the task's routing rule lets them verify it."""
        if task.owner_id is not None:
            return False
        department_id = task_department_id(task)
        if not is_department_member(user, department_id):
            return False
        from workflows.routing import may_verify

        rule_id = (task.process.data or {}).get("routing_rule")
        return may_verify(user=user, department_id=department_id, rule_id=rule_id)

    def can_execute(self, user, task) -> bool:
        return (
            task.owner_id is not None
            and task.owner_id == getattr(user, "pk", None)
            and is_department_member(user, task_department_id(task))
        )

    def can_unassign(self, user, task) -> bool:
        """The owner may hand a task back; a supervisor may free a colleague's task."""
        if task.owner_id is None:
            return False
        department_id = task_department_id(task)
        if task.owner_id == getattr(user, "pk", None):
            return is_department_member(user, department_id)
        return is_department_member(user, department_id, role=RegulatorMembership.Role.SUPERVISOR)
