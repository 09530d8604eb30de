"""Writes of the verification process: submit a commitment, claim, release and complete tasks.

Each action runs under the process lock (``select_for_update`` on the process row), re-reads
the task inside it and refuses with a ``CommitmentError`` before changing anything. The
domain status is changed by ``commitments.services``; the flow only records the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments import services as commitment_services
from commitments.errors import CommitmentError, ErrorCode
from commitments.models import Commitment, Verification

from .flows import InformCommitFlow


def _concurrent_change() -> CommitmentError:
    return CommitmentError(
        ErrorCode.CONCURRENT_CHANGE,
        _("This commitment is being processed by someone else. Please try again in a moment."),
    )


def _not_found() -> CommitmentError:
    return CommitmentError(ErrorCode.NOT_FOUND, _("No such task."))


@transaction.atomic
def commitment_submit(*, commitment: Commitment, by: AbstractBaseUser) -> Commitment:
    """Sign the commitment and start its verification, both or neither."""
    outcome = commitment_services.commitment_sign(commitment=commitment, by=by)
    try:
        InformCommitFlow.run_start(commitment=outcome.commitment, by=by)
    except FlowLockFailed:
        raise _concurrent_change() from None
    return Commitment.objects.get(pk=commitment.pk)


@contextmanager
def _task_activation(*, task: Task, by: AbstractBaseUser) -> Iterator:
    """The task's activation under the process lock, or NOT_FOUND for an outsider.

    A user outside the commitment's department cannot tell its tasks from missing ones.
    """
    fresh = Task.objects.filter(
        pk=task.pk, flow_task__in=InformCommitFlow.human_task_refs()
    ).first()
    if fresh is None or not fresh.flow_task.can_view(by, fresh):
        raise _not_found()
    try:
        with fresh.activation() as activation:
            yield activation
    except FlowLockFailed:
        raise _concurrent_change() from None


def _refuse_closed(task: Task) -> None:
    if task.status == STATUS.DONE:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This verification has already been recorded."),
            field="status",
        )
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This task is closed: the verification window passed and it was escalated."),
            field="status",
        )


def _refuse_owned_by_other(task: Task, by: AbstractBaseUser) -> None:
    if task.owner_id is not None and task.owner_id != by.pk:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This task has already been claimed by %(user)s.")
            % {"user": task.owner.get_username()},
            field="owner",
        )


def verification_task_claim(*, task: Task, by: AbstractBaseUser) -> Task:
    """Take an unassigned task from the department's queue."""
    with _task_activation(task=task, by=by) as activation:
        current = activation.task
        _refuse_closed(current)
        _refuse_owned_by_other(current, by)
        if current.owner_id == by.pk:
            raise CommitmentError(
                ErrorCode.INVALID_STATE, _("You have already claimed this task."), field="owner"
            )
        if not activation.assign.has_perm(by):
            raise CommitmentError(ErrorCode.FORBIDDEN, _("You cannot claim this task."))
        current.assigned = now()
        activation.assign(by)
    return current


def verification_task_release(*, task: Task, by: AbstractBaseUser) -> Task:
    """Put a claimed task back into the department's queue."""
    with _task_activation(task=task, by=by) as activation:
        current = activation.task
        _refuse_closed(current)
        if current.owner_id is None:
            raise CommitmentError(
                ErrorCode.INVALID_STATE, _("This task is not claimed by anyone."), field="owner"
            )
        if not activation.unassign.has_perm(by):
            raise CommitmentError(
                ErrorCode.FORBIDDEN,
                _("Only the person who claimed this task or a supervisor can release it."),
            )
        current.assigned = None
        activation.unassign()
    return current


def verification_complete(
    *,
    task: Task,
    by: AbstractBaseUser,
    method: str,
    finding: str,
    reason: str = "",
) -> Verification:
    """Record the finding on the commitment and complete the task so the process advances.

    An unclaimed task is claimed in the same transaction; a refusal anywhere undoes it all.
    """
    with _task_activation(task=task, by=by) as activation:
        current = activation.task
        _refuse_closed(current)
        _refuse_owned_by_other(current, by)
        if current.owner_id is None:
            if not activation.assign.has_perm(by):
                raise CommitmentError(ErrorCode.FORBIDDEN, _("You cannot claim this task."))
            current.assigned = now()
            activation.assign(by)
        if not activation.start.has_perm(by):
            raise CommitmentError(ErrorCode.FORBIDDEN, _("You cannot complete this task."))
        commitment = Commitment.objects.get(process_id=current.process_id)
        verification = commitment_services.verification_record(
            commitment=commitment, regulator=by, method=method, finding=finding, reason=reason
        )
        activation.start(None)
        activation.execute()
    return verification
