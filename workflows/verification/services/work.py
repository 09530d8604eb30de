"""A regulator's work on a verification task: claim it from the queue, release it back, record
the finding (with how it was established: the inspection record, evidence files) so the
process advances.

Each action runs under the process lock (``select_for_update`` on the process row), re-reads
the task inside it and refuses with a ``WorkflowError`` before changing anything; a refusal
anywhere undoes it all. Reassignment, delegation and deadline extension use the same guards.
The domain status is changed by ``commitments.lifecycle.services``; the flow only records the work.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle.models import Commitment, Verification, VerificationDetail
from commitments.lifecycle.services.verification import verification_record
from directory.audit import audited_clean
from directory.compiled import CompiledQuery
from directory.inputs import date_problem
from directory.memo import memo_scope, scoped_memo_set
from directory.rows import save_new
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.flows import (
    InformCommitFlow,
    commitment_in_memory,
    commitment_keep_in_memory,
)
from workflows.verification.selectors.seats import TASK_COMMITMENT_MEMO
from workflows.verification.services.assignment import audit_task
from workflows.verification.services.evidence import evidence_check, evidence_store
from workflows.verification.services.queue import index_close, index_set_owner
from workflows.verification.services.rectification_flow import rectification_close


def concurrent_change() -> WorkflowError:
    """The refusal when another action holds the process lock."""
    return WorkflowError(
        WorkflowErrorCode.CONCURRENT_CHANGE,
        _("This commitment is being processed by someone else. Please try again in a moment."),
    )


def task_not_found() -> WorkflowError:
    """The refusal for a missing task, or one of another department (indistinguishable)."""
    return WorkflowError(WorkflowErrorCode.NOT_FOUND, _("No such task."))


def visible_task(*, task: Task, by: AbstractBaseUser | None) -> Task:
    """The verification task re-read, or NOT_FOUND for an outsider (``by=None``: no check).

    A user outside the commitment's department cannot tell its tasks from missing ones.
    """
    fresh = Task.objects.filter(
        pk=task.pk, flow_task__in=InformCommitFlow.human_task_refs()
    ).first()
    if fresh is None or (by is not None and not fresh.flow_task.can_view(by, fresh)):
        raise task_not_found()
    return fresh


def _task_of_process(task_id: int, process_id: int) -> QuerySet[Task]:
    return Task.objects.select_related("process").filter(
        pk=task_id, process_id=process_id, flow_task__in=InformCommitFlow.human_task_refs()
    )


def _commitment_of_process(process_id: int) -> QuerySet[Commitment]:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("department", "template", "subject")
        .filter(process_id=process_id)  # one at most: the link is one-to-one
    )


# Read under the process lock by every action on a task: compiled once (directory.compiled).
_TASK_UNDER_LOCK = CompiledQuery(_task_of_process, -1_730_100_201, -1_730_100_202)
_COMMITMENT_UNDER_LOCK = CompiledQuery(_commitment_of_process, -1_730_100_203)


@contextmanager
def task_activation(
    *, task: Task, by: AbstractBaseUser | None, lock_commitment: bool = False
) -> Iterator:
    """The task's activation under the process lock, or NOT_FOUND for an outsider.

    What ``Task.activation()`` does (lock the process, read the task afresh), with the task
    and its process read in one query, and the checks the action repeats (the task's
    department, the actor's seat in it) read once for the whole action. With
    ``lock_commitment`` the commitment is read under its row lock at once (the finding
    changes it) and kept with the process (``commitment_in_memory``).
    """
    flow_class = InformCommitFlow
    # A task given by its key alone (``Task(pk=…)``: bulk actions, delegation) says which
    # process to lock only once read.
    process_id = task.process_id or (
        Task.objects.filter(pk=task.pk).values_list("process_id", flat=True).first()
    )
    if process_id is None:
        raise task_not_found()
    try:
        with memo_scope(), flow_class.lock(process_id):
            fresh = next(iter(_TASK_UNDER_LOCK.models(task.pk, process_id)), None)
            if fresh is not None and lock_commitment:
                commitment_lock_for_task(process=fresh.process)
            if fresh is None or (by is not None and not fresh.flow_task.can_view(by, fresh)):
                raise task_not_found()
            yield fresh.flow_task.activation_class(fresh)
    except FlowLockFailed:
        raise concurrent_change() from None


def commitment_lock_for_task(*, process) -> Commitment | None:
    """Read the process's commitment under its row lock, with what a finding reads, and keep
    it (and its department for the seat checks) for the rest of the action."""
    locked = next(iter(_COMMITMENT_UNDER_LOCK.models(process.pk)), None)
    if locked is not None:
        commitment_keep_in_memory(process=process, commitment=locked)
    scoped_memo_set(
        (TASK_COMMITMENT_MEMO, process.pk),
        (locked.pk, locked.department_id) if locked is not None else None,
    )
    return locked


def refuse_closed(task: Task) -> None:
    """Refuse a task whose finding is recorded or which was closed by escalation."""
    if task.status == STATUS.DONE:
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This verification has already been recorded."),
            field="status",
        )
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This task is closed: the verification window passed and it was escalated."),
            field="status",
        )


def refuse_owned_by_other(task: Task, by: AbstractBaseUser) -> None:
    """Refuse a task that someone other than ``by`` has claimed."""
    if task.owner_id is not None and task.owner_id != by.pk:
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This task has already been claimed by %(user)s.")
            % {"user": task.owner.get_username()},
            field="owner",
        )


def verification_task_claim(*, task: Task, by: AbstractBaseUser) -> Task:
    """Take an unassigned task from the department's queue."""
    with task_activation(task=task, by=by) as activation:
        current = activation.task
        refuse_closed(current)
        refuse_owned_by_other(current, by)
        if current.owner_id == by.pk:
            raise WorkflowError(
                WorkflowErrorCode.INVALID_STATE,
                _("You have already claimed this task."),
                field="owner",
            )
        if not activation.assign.has_perm(by):
            raise WorkflowError(WorkflowErrorCode.FORBIDDEN, _("You cannot claim this task."))
        current.assigned = timezone.now()
        activation.assign(by)
        index_set_owner(task_id=current.pk, owner_id=by.pk)
        audit_task(task=current, kind=TaskAuditEntry.Kind.CLAIMED, by=by, to_user=by)
    return current


def verification_task_release(*, task: Task, by: AbstractBaseUser) -> Task:
    """Put a claimed task back into the department's queue."""
    with task_activation(task=task, by=by) as activation:
        current = activation.task
        refuse_closed(current)
        if current.owner_id is None:
            raise WorkflowError(
                WorkflowErrorCode.INVALID_STATE,
                _("This task is not claimed by anyone."),
                field="owner",
            )
        if not activation.unassign.has_perm(by):
            raise WorkflowError(
                WorkflowErrorCode.FORBIDDEN,
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
    with task_activation(task=task, by=by, lock_commitment=True) as activation:
        current = activation.task
        refuse_closed(current)
        refuse_owned_by_other(current, by)
        if current.owner_id is None:
            if not activation.assign.has_perm(by):
                raise WorkflowError(WorkflowErrorCode.FORBIDDEN, _("You cannot claim this task."))
            current.assigned = timezone.now()
            activation.assign(by)
        if not activation.start.has_perm(by):
            raise WorkflowError(WorkflowErrorCode.FORBIDDEN, _("You cannot complete this task."))
        commitment = commitment_in_memory(activation.process)  # locked by task_activation
        if commitment is None:
            raise task_not_found()
        # The task leaves the lists here (undone with everything if anything refuses).
        is_spot_check = verification_spot_check_refusal(
            is_spot_check=index_close(task_id=current.pk),
            method=method,
            inspected_on=inspected_on,
            inspection_location=inspection_location,
        )
        verification = verification_record(
            commitment=commitment,
            regulator=by,
            method=method,
            finding=finding,
            reason=reason,
            is_locked=True,
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
        rectification_close(commitment=verification.commitment, verification=verification)
        commitment_keep_in_memory(process=activation.process, commitment=verification.commitment)
        activation.start(None)
        activation.execute()
    return verification


def verification_spot_check_refusal(
    *,
    is_spot_check: bool,
    method: str,
    inspected_on: datetime.date | None,
    inspection_location: str,
) -> bool:
    """Refuse a spot-checked commitment verified otherwise than on site; True if drawn."""
    if not is_spot_check:
        return False
    if method != VerificationMethod.ON_SITE:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("This commitment was drawn for an on-site spot check: verify it on site."),
            field="method",
        )
    missing = {}
    if inspected_on is None:
        missing["inspected_on"] = [_("An on-site spot check needs the inspection date.")]
    if not (inspection_location or "").strip():
        missing["inspection_location"] = [_("An on-site spot check needs the inspection location.")]
    if missing:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=missing,
            field=next(iter(missing)),
        )
    return True


def verification_detail_record(
    *,
    verification: Verification,
    by: AbstractBaseUser,
    evidence_summary: str,
    inspected_on: datetime.date | None,
    inspection_location: str,
    inspectors: str,
    is_spot_check: bool,
) -> VerificationDetail:
    detail = VerificationDetail(
        verification=verification,
        evidence_summary=(evidence_summary or "").strip(),
        inspected_on=inspected_on,
        inspection_location=(inspection_location or "").strip(),
        inspectors=(inspectors or "").strip(),
        is_spot_check=is_spot_check,
    )
    if inspected_on is not None and inspected_on > timezone.localdate():
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("The inspection date cannot be in the future."),
            field="inspected_on",
        )
    signed_at = verification.commitment.signed_at
    if inspected_on is not None and signed_at is not None:
        problem = date_problem(
            inspected_on, today=timezone.localdate(), earliest=timezone.localdate(signed_at)
        )
        if problem is not None:
            raise WorkflowError(WorkflowErrorCode.INVALID, problem, field="inspected_on")
    detail._history_user = by
    detail._change_reason = "verification detail recorded"
    try:
        # The finding was recorded in this transaction: it has no detail yet.
        audited_clean(detail, unique_by_construction=["verification"])
    except ValidationError as error:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=error.message_dict,
            field=next(iter(error.message_dict)),
        ) from None
    save_new(detail)  # ``detail.save()`` of the new row, its insert compiled once
    return detail
