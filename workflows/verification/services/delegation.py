"""Absences: hand a regulator's work to a colleague for a period, end it early, apply it.

A delegation is refused with its reason (outsiders, overlaps, loops); from its start the
absent regulator's open tasks go to the stand-in (the end of the delegation chain) and new
assignments pass them over (``services.assignment``).
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from directory.audit import audited_save, system_user
from directory.errors import DomainError
from directory.inputs import date_problem
from directory.models import Department, RegulatorMembership
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import Delegation, VerificationTaskIndex
from workflows.verification.selectors.delegation import delegations_in_force, stand_in
from workflows.verification.selectors.seats import is_department_member
from workflows.verification.services.assignment import department_lock
from workflows.verification.services.notify import notify_delegation
from workflows.verification.services.reassignment import task_hand_over

logger = logging.getLogger(__name__)

MAX_CHAIN = 20
Role = RegulatorMembership.Role


def _invalid(field: str, message: str) -> WorkflowError:
    return WorkflowError(WorkflowErrorCode.INVALID, message, field=field)


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
        raise WorkflowError(
            WorkflowErrorCode.FORBIDDEN,
            _("Only the absent regulator or a supervisor of the department can delegate."),
        )
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why (e.g. annual leave, training)."))
    if ends <= starts:
        raise _invalid("ends", _("The end must be after the start."))
    if ends <= timezone.now():
        raise _invalid("ends", _("This period is already over."))
    for field, value in (("starts", starts), ("ends", ends)):
        problem = date_problem(timezone.localtime(value), today=timezone.localdate())
        if problem is not None:
            raise _invalid(field, problem)
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
        raise WorkflowError(WorkflowErrorCode.NOT_FOUND, _("No such delegation."))
    if locked.revoked_at is not None:
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This delegation was already revoked."),
            field="revoked_at",
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
                    task_hand_over(
                        task=Task(pk=task_id),
                        to=target,
                        by=actor,
                        kind=TaskAuditEntry.Kind.DELEGATED,
                        reason=_("Delegation #%(pk)d: %(reason)s")
                        % {"pk": locked.pk, "reason": locked.reason},
                        check_permission=False,
                    )
                moved += 1
            except DomainError as error:
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
