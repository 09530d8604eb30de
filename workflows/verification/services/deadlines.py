"""Extend the verification deadline and keep the flow's armed timers in step with it.

viewflow arms a boundary timer as a ``Task`` row (status SCHEDULED, ``scheduled`` = when it
fires); extending a deadline in the domain must move that instant too, in the same
transaction, or the window would still close at the old time.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment
from commitments.obligations.services.extensions import commitment_extend_verification
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.queue import reminder_instant
from workflows.verification.services.work import refuse_closed, visible_task


def verification_timers_follow(*, commitment: Commitment) -> int:
    """Re-arm the commitment's pending verification-window timers at its current due instant;
    the number of timer rows moved."""
    due_at = commitment.verification_due_at
    if commitment.process_id is None or due_at is None:
        return 0
    moved = Task.objects.filter(
        process_id=commitment.process_id,
        flow_task=get_task_ref(InformCommitFlow.verification_overdue),
        status=STATUS.SCHEDULED,
    ).update(scheduled=due_at)
    # The queue pages sort on their own index row: it shows the new date and reminder too.
    VerificationTaskIndex.objects.filter(
        process_id=commitment.process_id, is_escalated=False
    ).update(due_at=due_at, remind_at=reminder_instant(due_at))
    return moved


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
    fresh = visible_task(task=task, by=by)
    refuse_closed(fresh)
    commitment = Commitment.objects.get(process_id=fresh.process_id)
    return verification_deadline_extend(
        commitment=commitment,
        by=by,
        new_due_date=new_due_date,
        working_days=working_days,
        reason=reason,
    )
