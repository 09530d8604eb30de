"""The human task node of verification: a task only the commitment's department may act on.

Imported by the flow by class; the rows of running processes name the flow's attributes, not
this class, so moving it needs no data migration.
"""

from __future__ import annotations

from django.utils.timezone import now

from directory.models import RegulatorMembership
from workflows.nodes import View
from workflows.verification.selectors.seats import is_department_member, task_department_id
from workflows.verification.services.routing import may_verify


class DepartmentTaskView(View):
    """A human task that only active members of the commitment's department may act on.

    viewflow's queues are permission-driven: anyone holding the permission could claim any
    task by URL. Verification is a department's business, so every check here asks whether
    the user is an active member of the department the commitment was handed to. The node's
    permission (``workflows.verify_commitment``, stored on its tasks) names the right; for one
    task it is held by the active members of that department, which these checks decide. We
    serve our own task pages, so the node carries no viewflow view. It also stamps
    ``Task.assigned`` on automatic assignment, which viewflow 2.4 leaves empty. Its task rows
    are written by statements compiled once (``workflows.nodes.View``).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(view=None, **kwargs)

    def calc_owner(self, activation):
        owner = super().calc_owner(activation)
        if owner is not None:
            activation.task.assigned = now()
        return owner

    def can_view(self, user, task) -> bool:
        """Any active member of the department sees the task (others: not found)."""
        return is_department_member(user, task_department_id(task))

    def can_assign(self, user, task) -> bool:
        """A member may claim a queued task if the task's routing rule lets them verify it."""
        if task.owner_id is not None:
            return False
        department_id = task_department_id(task)
        if not is_department_member(user, department_id):
            return False
        rule_id = (task.process.data or {}).get("routing_rule")
        return may_verify(user=user, department_id=department_id, rule_id=rule_id)

    def can_execute(self, user, task) -> bool:
        """Only the holder, while still a member, records the finding."""
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
