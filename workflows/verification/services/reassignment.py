"""Give open tasks to a colleague: a supervisor's reassignment (one or many), and the hand-over
that delegations use.

Each task change runs under the process lock, re-reads the task and refuses before changing
anything; the queue index row, the audit entry and the notifications are written in the
same transaction (e-mail leaves after the commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from directory.errors import DomainError
from directory.models import RegulatorMembership
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.selectors.seats import is_department_member, task_department_id
from workflows.verification.services.assignment import audit_task
from workflows.verification.services.notify import notify_reassigned
from workflows.verification.services.queue import index_set_owner
from workflows.verification.services.routing import may_verify
from workflows.verification.services.work import refuse_closed, task_activation

MAX_BULK = 200
Role = RegulatorMembership.Role


def _invalid(field: str, message: str) -> WorkflowError:
    return WorkflowError(WorkflowErrorCode.INVALID, message, field=field)


def _check_assignee(*, to: AbstractBaseUser, department_id: int, rule_id: int | None) -> None:
    """Refuse an assignee who is inactive, outside the department or not eligible."""
    if not to.is_active:
        raise _invalid("to", _("%(user)s is inactive.") % {"user": to.get_username()})
    if not is_department_member(to, department_id):
        raise _invalid(
            "to",
            _("%(user)s is not an active member of the department.") % {"user": to.get_username()},
        )
    if not may_verify(user=to, department_id=department_id, rule_id=rule_id):
        raise _invalid(
            "to",
            _("The routing rule of this matter does not let %(user)s verify it.")
            % {"user": to.get_username()},
        )


def task_hand_over(
    *,
    task: Task,
    to: AbstractBaseUser,
    by: AbstractBaseUser,
    kind: str,
    reason: str,
    check_permission: bool,
) -> Task:
    """Give an open task to ``to`` under the process lock; the shared core of every move.

    ``check_permission`` asks that ``by`` sees the task and supervises its department (a
    person reassigning); without it the system hands over (a delegation).
    """
    with task_activation(task=task, by=by if check_permission else None) as activation:
        current = activation.task
        refuse_closed(current)
        department_id = task_department_id(current)
        if check_permission and not is_department_member(by, department_id, role=Role.SUPERVISOR):
            raise WorkflowError(
                WorkflowErrorCode.FORBIDDEN,
                _("Only a supervisor of the department can reassign its tasks."),
            )
        rule_id = (current.process.data or {}).get("routing_rule")
        _check_assignee(to=to, department_id=department_id, rule_id=rule_id)
        if current.owner_id == to.pk:
            raise WorkflowError(
                WorkflowErrorCode.INVALID_STATE,
                _("%(user)s already holds this task.") % {"user": to.get_username()},
                field="to",
            )
        previous = current.owner
        current.assigned = timezone.now()
        if current.status == STATUS.NEW:
            activation.assign(to)
        else:
            activation.reassign(to)
        index_set_owner(task_id=current.pk, owner_id=to.pk)
        entry = audit_task(
            task=current, kind=kind, by=by, from_user=previous, to_user=to, reason=reason
        )
        row = VerificationTaskIndex.objects.filter(task_id=current.pk).first()
        if row is not None and kind == TaskAuditEntry.Kind.REASSIGNED:
            notify_reassigned(
                row=row, to=to, previous=previous, by=by, audit_id=entry.pk, reason=reason
            )
        return current


def verification_task_reassign(
    *, task: Task, to: AbstractBaseUser, by: AbstractBaseUser, reason: str = ""
) -> Task:
    """A supervisor gives a task of the department to a colleague (queued or held)."""
    with transaction.atomic():
        return task_hand_over(
            task=task,
            to=to,
            by=by,
            kind=TaskAuditEntry.Kind.REASSIGNED,
            reason=(reason or "").strip(),
            check_permission=True,
        )


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one task of a bulk reassignment."""

    task_id: int
    is_done: bool
    code: str
    message: str


def verification_tasks_reassign_bulk(
    *, task_ids: Iterable[int], to: AbstractBaseUser, by: AbstractBaseUser, reason: str = ""
) -> list[BulkOutcome]:
    """Reassign many tasks, each in its own transaction: one refusal stops only itself."""
    ids = list(dict.fromkeys(int(pk) for pk in task_ids))
    if not ids:
        raise _invalid("tasks", _("Choose at least one task."))
    if len(ids) > MAX_BULK:
        raise _invalid(
            "tasks", _("Reassign at most %(count)d tasks at once.") % {"count": MAX_BULK}
        )
    outcomes = []
    for pk in ids:
        try:
            verification_task_reassign(task=Task(pk=pk), to=to, by=by, reason=reason)
        except DomainError as error:
            outcomes.append(BulkOutcome(pk, False, str(error.code), str(error.message)))
        else:
            outcomes.append(BulkOutcome(pk, True, "reassigned", _("Reassigned.")))
    return outcomes
