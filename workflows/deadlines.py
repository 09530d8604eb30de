"""Keep the flow's armed timers in step with the domain's deadlines.

viewflow arms a boundary timer as a ``Task`` row (status SCHEDULED, ``scheduled`` = when it
fires); extending a deadline in the domain must move that instant too, in the same
transaction, or the window would still close at the old time.
"""

from __future__ import annotations

from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment
from workflows.flows import InformCommitFlow
from workflows.models import VerificationTaskIndex
from workflows.queue import reminder_instant


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
