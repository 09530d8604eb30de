"""Rectification (待整改): the regulator orders a fix with a deadline, the applicant submits
what they did with evidence, and at the latest at the deadline the commitment is verified
again (``verification_complete`` on the ``reverify`` task closes the order).

Every refusal comes before any write, with the field and the reason; a refusal anywhere
undoes it all. The regulator's order runs under the process lock like every task action.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle.models import Commitment
from directory.audit import audited_save
from directory.calendar import Deadline, add_working_days
from directory.errors import DirectoryError
from directory.models import DeadlineUnit
from directory.selectors import subject_list
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import (
    Rectification,
    RectificationEvidence,
    VerificationTaskIndex,
)
from workflows.verification.services.evidence import CheckedFile, evidence_check, evidence_file_save
from workflows.verification.services.queue import index_close
from workflows.verification.services.rectification_flow import notify_rectification_ordered
from workflows.verification.services.work import (
    concurrent_change,
    refuse_closed,
    refuse_owned_by_other,
    task_activation,
)

MAX_RECTIFICATION_WORKING_DAYS = 60


def _invalid(field: str, message: str) -> WorkflowError:
    return WorkflowError(WorkflowErrorCode.INVALID, message, field=field)


def rectification_deadline(
    *, today: datetime.date, working_days: int | None, due_date: datetime.date | None
) -> Deadline:
    """The deadline: a number of working days from today on the official calendar, or a date
    after today; exactly one of them."""
    if (working_days is None) == (due_date is None):
        raise _invalid(
            "working_days", _("Give the deadline in working days or as a date (one of them).")
        )
    if due_date is not None:
        if due_date <= today:
            raise _invalid("due_date", _("The rectification deadline must be after today."))
        return Deadline(today, (due_date - today).days, DeadlineUnit.CALENDAR_DAYS, 0, due_date)
    if not 1 <= working_days <= MAX_RECTIFICATION_WORKING_DAYS:
        raise _invalid(
            "working_days",
            _("A rectification deadline is between 1 and %(max)d working days.")
            % {"max": MAX_RECTIFICATION_WORKING_DAYS},
        )
    try:
        return add_working_days(today, working_days)
    except DirectoryError as error:
        raise _invalid("working_days", str(error.message)) from None


def _store(*, rectification: Rectification, stage: str, files: Sequence[CheckedFile], by) -> None:
    now = timezone.now()
    for item in files:
        evidence = RectificationEvidence(
            rectification=rectification,
            stage=stage,
            file=evidence_file_save(item),
            sha256=item.sha256,
            size=len(item.content),
            content_type=item.content_type,
            original_name=item.name,
            uploaded_by=by,
            uploaded_at=now,
        )
        audited_save(evidence, by=by, reason=f"rectification evidence ({stage})")


def _refuse_second_round(*, task: Task, commitment: Commitment) -> None:
    if (
        task.flow_task == InformCommitFlow.reverify
        or Rectification.objects.filter(commitment=commitment).exists()
    ):
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _(
                "A rectification was already ordered for this commitment: the re-verification "
                "ends fulfilled or breached."
            ),
            field="finding",
        )


def rectification_order(
    *,
    task: Task,
    by: AbstractBaseUser,
    method: str,
    gaps: str,
    finding_evidence: str = "",
    working_days: int | None = None,
    due_date: datetime.date | None = None,
    files: Sequence = (),
) -> Rectification:
    """Order the applicant to rectify ``gaps`` by the deadline instead of a final finding.

    The task is completed (claimed first if it was in the queue) and the process waits for
    the applicant's submission or the deadline, then a re-verification task falls due.
    """
    checked = evidence_check(files)
    gaps = (gaps or "").strip()
    with transaction.atomic(), task_activation(task=task, by=by) as activation:
        current = activation.task
        refuse_closed(current)
        refuse_owned_by_other(current, by)
        commitment = Commitment.objects.select_for_update().get(process_id=current.process_id)
        if commitment.status != Commitment.Status.UNDER_VERIFICATION:
            raise WorkflowError(
                WorkflowErrorCode.INVALID_STATE,
                _("This commitment is not awaiting verification."),
                field="status",
            )
        _refuse_second_round(task=current, commitment=commitment)
        if method not in VerificationMethod.values:
            raise _invalid("method", _("Choose a verification method."))
        drawn = (
            VerificationTaskIndex.objects.filter(task_id=current.pk, is_spot_check=True)
            .values("spot_check_draw_id")
            .first()
        )
        if method != VerificationMethod.ON_SITE and drawn is not None:
            raise _invalid(
                "method",
                _("This commitment was drawn for an on-site spot check: verify it on site."),
            )
        if not gaps:
            raise _invalid("gaps", _("Say what must be rectified."))
        deadline = rectification_deadline(
            today=timezone.localdate(), working_days=working_days, due_date=due_date
        )
        if current.owner_id is None:
            if not activation.assign.has_perm(by):
                raise WorkflowError(WorkflowErrorCode.FORBIDDEN, _("You cannot claim this task."))
            current.assigned = timezone.now()
            activation.assign(by)
        if not activation.start.has_perm(by):
            raise WorkflowError(WorkflowErrorCode.FORBIDDEN, _("You cannot complete this task."))
        rectification = Rectification(
            commitment=commitment,
            department_id=commitment.department_id,
            method=method,
            is_spot_check=drawn is not None,
            spot_check_draw_id=drawn["spot_check_draw_id"] if drawn else None,
            gaps=gaps,
            finding_evidence=(finding_evidence or "").strip(),
            due_at=deadline.end_of_day(),
            due_basis=deadline.as_basis(),
            ordered_by=by,
            ordered_at=timezone.now(),
        )
        audited_save(rectification, by=by, reason="rectification ordered")
        _store(
            rectification=rectification,
            stage=RectificationEvidence.Stage.ORDER,
            files=checked,
            by=by,
        )
        activation.start(None)
        activation.execute()
        index_close(task_id=current.pk)
        notify_rectification_ordered(rectification=rectification)
    return rectification


def _represented(*, commitment: Commitment, by: AbstractBaseUser) -> bool:
    return subject_list(represented_by=by).filter(pk=commitment.subject_id).exists()


def rectification_get(*, reference: str, by: AbstractBaseUser) -> Rectification:
    """The rectification of a commitment the user represents, or NOT_FOUND (as if missing)."""
    rectification = (
        Rectification.objects.select_related("commitment", "commitment__subject", "department")
        .filter(commitment__reference=reference)
        .first()
    )
    if rectification is None or not _represented(commitment=rectification.commitment, by=by):
        raise WorkflowError(WorkflowErrorCode.NOT_FOUND, _("No rectification was ordered here."))
    return rectification


def rectification_submit(
    *, reference: str, by: AbstractBaseUser, text: str, files: Sequence = ()
) -> Rectification:
    """The applicant says what was rectified, with evidence, before the deadline; the
    re-verification task is created at once (due at the deadline)."""
    rectification = rectification_get(reference=reference, by=by)
    checked = evidence_check(files)
    text = (text or "").strip()
    try:
        with transaction.atomic():
            locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
            if locked.status == Rectification.Status.SUBMITTED:
                raise WorkflowError(
                    WorkflowErrorCode.INVALID_STATE,
                    _("The rectification has already been submitted."),
                    field="status",
                )
            if locked.status != Rectification.Status.ORDERED or timezone.now() > locked.due_at:
                raise WorkflowError(
                    WorkflowErrorCode.INVALID_STATE,
                    _("The rectification deadline has passed; it is being verified again."),
                    field="status",
                )
            if not text:
                raise _invalid("submission", _("Say what was rectified."))
            waiting = Task.objects.filter(
                process_id=locked.commitment.process_id,
                flow_task=get_task_ref(InformCommitFlow.await_rectification),
                status=STATUS.NEW,
            ).first()
            if waiting is None:
                raise concurrent_change()
            locked.submit(by=by, at=timezone.now(), text=text)
            audited_save(locked, by=by, reason="rectification submitted")
            _store(
                rectification=locked,
                stage=RectificationEvidence.Stage.SUBMISSION,
                files=checked,
                by=by,
            )
            InformCommitFlow.await_rectification.run(waiting)
    except FlowLockFailed:
        raise concurrent_change() from None
    return locked
