"""Writes of queue work beyond claim and release: reassignment (one or many) and delegation.

Each task change runs under the process lock, re-reads the task and refuses before changing
anything; the queue index row, the audit entry and the notifications are written in the
same transaction (e-mail leaves after the commit).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError, ErrorCode
from directory.audit import audited_save, system_user
from directory.models import Department, RegulatorMembership
from workflows.assignment import department_lock
from workflows.delegation import delegations_in_force, stand_in
from workflows.flows import InformCommitFlow
from workflows.models import Delegation, TaskAuditEntry, VerificationTaskIndex
from workflows.nodes import is_department_member, task_department_id
from workflows.notify import notify_delegation, notify_reassigned
from workflows.queue import index_set_owner
from workflows.routing import may_verify
from workflows.services import _concurrent_change, _not_found, _refuse_closed
from workflows.verification import audit_task

logger = logging.getLogger(__name__)

MAX_BULK = 200
MAX_CHAIN = 20
Role = RegulatorMembership.Role


def _invalid(field: str, message: str) -> CommitmentError:
    return CommitmentError(ErrorCode.INVALID, message, field=field)


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


def _hand_over(
    *,
    task: Task,
    to: AbstractBaseUser,
    by: AbstractBaseUser,
    kind: str,
    reason: str,
    check_permission: bool,
) -> Task:
    """Give an open task to ``to`` under the process lock; the shared core of every move."""
    fresh = Task.objects.filter(
        pk=task.pk, flow_task__in=InformCommitFlow.human_task_refs()
    ).first()
    if fresh is None or (check_permission and not fresh.flow_task.can_view(by, fresh)):
        raise _not_found()
    try:
        with fresh.activation() as activation:
            current = activation.task
            _refuse_closed(current)
            department_id = task_department_id(current)
            if check_permission and not is_department_member(
                by, department_id, role=Role.SUPERVISOR
            ):
                raise CommitmentError(
                    ErrorCode.FORBIDDEN,
                    _("Only a supervisor of the department can reassign its tasks."),
                )
            rule_id = (current.process.data or {}).get("routing_rule")
            _check_assignee(to=to, department_id=department_id, rule_id=rule_id)
            if current.owner_id == to.pk:
                raise CommitmentError(
                    ErrorCode.INVALID_STATE,
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
    except FlowLockFailed:
        raise _concurrent_change() from None


def verification_task_reassign(
    *, task: Task, to: AbstractBaseUser, by: AbstractBaseUser, reason: str = ""
) -> Task:
    """A supervisor gives a task of the department to a colleague (queued or held)."""
    with transaction.atomic():
        return _hand_over(
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
        except CommitmentError as error:
            outcomes.append(BulkOutcome(pk, False, str(error.code), str(error.message)))
        else:
            outcomes.append(BulkOutcome(pk, True, "reassigned", _("Reassigned.")))
    return outcomes


# Delegation -----------------------------------------------------------------------------------


def _overlapping(department: Department, starts, ends):
    return Delegation.objects.filter(
        department=department, revoked_at__isnull=True, starts__lt=ends, ends__gt=starts
    )


def _would_loop(*, department: Department, delegator, delegate, starts, ends) -> bool:
    """Whether following the delegate's own delegations in the period leads back."""
    edges: dict[int, set[int]] = {}
    for source, target in _overlapping(department, starts, ends).values_list(
        "delegator_id", "delegate_id"
    ):
        edges.setdefault(source, set()).add(target)
    frontier, seen = {delegate.pk}, {delegate.pk}
    for _step in range(MAX_CHAIN):
        if delegator.pk in frontier:
            return True
        following = set().union(*(edges.get(node, set()) for node in frontier)) - seen
        if not following:
            return False
        seen |= following
        frontier = following
    return True


@transaction.atomic
def delegation_create(
    *,
    department: Department,
    delegator: AbstractBaseUser,
    delegate: AbstractBaseUser,
    starts: datetime.datetime,
    ends: datetime.datetime,
    reason: str,
    by: AbstractBaseUser,
) -> Delegation:
    """Hand a regulator's work to a colleague for an absence; refused with the reason."""
    if by.pk != delegator.pk and not is_department_member(by, department.pk, role=Role.SUPERVISOR):
        raise CommitmentError(
            ErrorCode.FORBIDDEN,
            _("Only the absent regulator or a supervisor of the department can delegate."),
        )
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why (e.g. annual leave, training)."))
    if ends <= starts:
        raise _invalid("ends", _("The end must be after the start."))
    if ends <= timezone.now():
        raise _invalid("ends", _("This period is already over."))
    if delegate.pk == delegator.pk:
        raise _invalid("delegate", _("Choose someone else as the delegate."))
    if not is_department_member(delegator, department.pk):
        raise _invalid(
            "delegator",
            _("%(user)s is not an active member of the department.")
            % {"user": delegator.get_username()},
        )
    if not delegate.is_active:
        raise _invalid("delegate", _("%(user)s is inactive.") % {"user": delegate.get_username()})
    if not is_department_member(delegate, department.pk):
        raise _invalid(
            "delegate",
            _("%(user)s is not an active member of this department.")
            % {"user": delegate.get_username()},
        )
    # Two delegations created at once must not form a loop between them.
    department_lock(department)
    if _overlapping(department, starts, ends).filter(delegator=delegator).exists():
        raise _invalid(
            "starts",
            _("%(user)s already has a delegation in this period.")
            % {"user": delegator.get_username()},
        )
    if _would_loop(
        department=department, delegator=delegator, delegate=delegate, starts=starts, ends=ends
    ):
        raise _invalid(
            "delegate",
            _(
                "%(delegate)s hands their own work back to %(delegator)s in this period: "
                "the delegation would go round in a loop."
            )
            % {"delegate": delegate.get_username(), "delegator": delegator.get_username()},
        )
    delegation = Delegation(
        department=department,
        delegator=delegator,
        delegate=delegate,
        starts=starts,
        ends=ends,
        reason=reason,
        created_by=by,
    )
    audited_save(delegation, by=by, reason=f"delegation: {reason}")
    moved = 0
    if starts <= timezone.now():
        moved = delegation_apply(delegation=delegation)
        delegation.refresh_from_db()
    notify_delegation(delegation=delegation, moved=moved)
    logger.info(
        "delegation %s: %s -> %s from %s to %s by %s",
        delegation.pk,
        delegator.pk,
        delegate.pk,
        starts,
        ends,
        by.pk,
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, by: AbstractBaseUser) -> Delegation:
    """End a delegation early; tasks already handed over stay with the delegate."""
    locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if by.pk != locked.delegator_id and not is_department_member(
        by, locked.department_id, role=Role.SUPERVISOR
    ):
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such delegation."))
    if locked.revoked_at is not None:
        raise CommitmentError(
            ErrorCode.INVALID_STATE, _("This delegation was already revoked."), field="revoked_at"
        )
    locked.revoked_at = timezone.now()
    audited_save(locked, by=by, reason="delegation revoked")
    return locked


def delegation_apply(*, delegation: Delegation) -> int:
    """Hand the absent regulator's open tasks in the department to the stand-in; count them."""
    with transaction.atomic():
        locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
        actor = system_user()
        target_id = stand_in(user_id=locked.delegator_id, department_id=locked.department_id)
        target = type(locked.delegate).objects.get(pk=target_id)
        moved = 0
        task_ids = VerificationTaskIndex.objects.filter(
            department_id=locked.department_id, owner_id=locked.delegator_id
        ).values_list("task_id", flat=True)
        for task_id in list(task_ids):
            try:
                with transaction.atomic():
                    _hand_over(
                        task=Task(pk=task_id),
                        to=target,
                        by=actor,
                        kind=TaskAuditEntry.Kind.DELEGATED,
                        reason=_("Delegation #%(pk)d: %(reason)s")
                        % {"pk": locked.pk, "reason": locked.reason},
                        check_permission=False,
                    )
                moved += 1
            except CommitmentError as error:
                logger.warning("delegation %s: task %s not moved: %s", locked.pk, task_id, error)
        locked.applied_at = timezone.now()
        locked.save(update_fields=["applied_at"])
    return moved


def delegations_apply_due() -> int:
    """Apply every delegation whose period has begun and whose tasks were not handed over."""
    applied = 0
    for delegation in delegations_in_force().filter(applied_at__isnull=True):
        delegation_apply(delegation=delegation)
        applied += 1
    return applied


def delegations_of(*, department_ids: Iterable[int]):
    return (
        Delegation.objects.filter(department_id__in=list(department_ids))
        .filter(revoked_at__isnull=True, ends__gt=timezone.now())
        .select_related("delegator", "delegate", "department", "created_by")
    )
