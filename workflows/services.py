"""Writes of the verification process: submit a commitment, claim, release and complete tasks.

Each action runs under the process lock (``select_for_update`` on the process row), re-reads
the task inside it and refuses with a ``CommitmentError`` before changing anything. The
domain status is changed by ``commitments.services``; the flow only records the work.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, Verification
from commitments.lifecycle.services import commitments as commitment_services
from commitments.lifecycle.services import verification as verification_services
from commitments.lifecycle.services.signatures import SigningPending
from workflows.evidence import evidence_check, evidence_store
from workflows.flows import InformCommitFlow
from workflows.models import TaskAuditEntry
from workflows.queue import index_close, index_set_owner
from workflows.verification import (
    audit_task,
    verification_detail_record,
    verification_spot_check_refusal,
)


def _concurrent_change() -> CommitmentError:
    return CommitmentError(
        ErrorCode.CONCURRENT_CHANGE,
        _("This commitment is being processed by someone else. Please try again in a moment."),
    )


def _signed_in_its_own_process(commitment: Commitment) -> CommitmentError:
    if commitment.template.kind == commitment.template.Kind.BIDDING_PLEDGE:
        message = _("A bidding pledge is signed on its pledge page, where the tender is checked.")
    else:
        message = _("A credit repair commitment is signed with the repair application.")
    return CommitmentError(ErrorCode.INVALID_STATE, message, field="template")


def _not_found() -> CommitmentError:
    return CommitmentError(ErrorCode.NOT_FOUND, _("No such task."))


@transaction.atomic
def commitment_submit(
    *, commitment: Commitment, by: AbstractBaseUser, uploaded_pdf: bytes | None = None
) -> Commitment:
    """Sign the commitment and start its verification, both or neither.

    With ``uploaded_pdf`` the applicant signed elsewhere (checked, then sealed). When the
    timestamp service does not answer, the draft stays, a pending ``SigningRequest`` keeps
    it and ``commitment_signing_complete_task`` finishes the signing once the service answers
    (the returned commitment is then still a draft).
    """
    if commitment.template.has_own_process:
        raise _signed_in_its_own_process(commitment)
    try:
        outcome = commitment_services.commitment_sign(
            commitment=commitment, by=by, uploaded_pdf=uploaded_pdf
        )
    except SigningPending as pending:
        from workflows.signing_requests import signing_request_enqueue

        signing_request_enqueue(commitment=commitment, by=by, pending=pending)
        return Commitment.objects.get(pk=commitment.pk)
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
        index_set_owner(task_id=current.pk, owner_id=by.pk)
        audit_task(task=current, kind=TaskAuditEntry.Kind.CLAIMED, by=by, to_user=by)
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
        previous_owner = current.owner
        current.assigned = None
        activation.unassign()
        index_set_owner(task_id=current.pk, owner_id=None)
        audit_task(task=current, kind=TaskAuditEntry.Kind.RELEASED, by=by, from_user=previous_owner)
    return current


def verification_complete(
    *,
    task: Task,
    by: AbstractBaseUser,
    method: str,
    finding: str,
    reason: str = "",
    evidence_summary: str = "",
    inspected_on: datetime.date | None = None,
    inspection_location: str = "",
    inspectors: str = "",
    files: Sequence = (),
) -> Verification:
    """Record the finding on the commitment and complete the task so the process advances.

    An unclaimed task is claimed in the same transaction; a refusal anywhere undoes it all.
    With the finding go how it was established (``evidence_summary``, the inspection record
    for on-site checks) and evidence files (PDF, PNG or JPEG, checked before anything is
    written). A commitment drawn for an on-site spot check must be verified on site, with
    the inspection date and location.
    """
    checked_files = evidence_check(files)
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
        is_spot_check = verification_spot_check_refusal(
            task=current,
            method=method,
            inspected_on=inspected_on,
            inspection_location=inspection_location,
        )
        verification = verification_services.verification_record(
            commitment=commitment, regulator=by, method=method, finding=finding, reason=reason
        )
        verification_detail_record(
            verification=verification,
            by=by,
            evidence_summary=evidence_summary,
            inspected_on=inspected_on,
            inspection_location=inspection_location,
            inspectors=inspectors,
            is_spot_check=is_spot_check,
        )
        evidence_store(verification=verification, files=checked_files, by=by)
        activation.start(None)
        activation.execute()
        index_close(task_id=current.pk)
    return verification


@transaction.atomic
def verification_deadline_extend(
    *,
    commitment: Commitment,
    by: AbstractBaseUser,
    reason: str,
    new_due_date: datetime.date | None = None,
    working_days: int | None = None,
):
    """Extend the verification window (an officer of the department) to a date or by working
    days, and move the flow's armed timer with it, both or neither."""
    from commitments.obligations.services.extensions import commitment_extend_verification
    from workflows.deadlines import verification_timers_follow

    extension = commitment_extend_verification(
        commitment=commitment,
        by=by,
        new_due_date=new_due_date,
        working_days=working_days,
        reason=reason,
    )
    verification_timers_follow(commitment=Commitment.objects.get(pk=commitment.pk))
    return extension


@transaction.atomic
def verification_task_deadline_extend(
    *,
    task: Task,
    by: AbstractBaseUser,
    reason: str,
    new_due_date: datetime.date | None = None,
    working_days: int | None = None,
):
    """Extend the verification deadline from one of the commitment's open tasks.

    A task outside the officer's department is not found; a task already done or closed by
    escalation is refused; the rest (officer, dates, reason) is ``verification_deadline_extend``'s.
    """
    fresh = Task.objects.filter(
        pk=task.pk, flow_task__in=InformCommitFlow.human_task_refs()
    ).first()
    if fresh is None or not fresh.flow_task.can_view(by, fresh):
        raise _not_found()
    _refuse_closed(fresh)
    commitment = Commitment.objects.get(process_id=fresh.process_id)
    return verification_deadline_extend(
        commitment=commitment,
        by=by,
        new_due_date=new_due_date,
        working_days=working_days,
        reason=reason,
    )
