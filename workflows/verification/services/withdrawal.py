"""A commitment withdrawn before the decision: its verification process is cancelled with it.

``commitments.lifecycle.services.withdrawal`` records the withdrawal and tells its listeners
inside its transaction; this module registers one (``workflows.apps`` imports it), so the
domain and the flow change together: every open task and armed timer of the process is
cancelled (a timer left armed would escalate a case nobody has to decide any more) and the
queue forgets the tasks. Who
withdrew, when and why is recorded on the commitment (its history and withdrawal fields), and
each cancelled task gets its task audit entry (who, when, from which state, why).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.withdrawal import withdrawal_listener_register
from workflows.audit.services import audit_cancelled
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.queue import index_close

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED)


def verification_cancel_on_withdrawal(
    *, commitment: Commitment, by: AbstractBaseUser | None = None
) -> int:
    """Cancel the commitment's verification process; the number of tasks cancelled."""
    process = commitment.process
    if process is None or process.status != PROCESS.NEW:
        return 0
    open_tasks = list(Task.objects.filter(process_id=process.pk, status__in=OPEN))
    InformCommitFlow.instance.cancel(process)
    for task in open_tasks:
        index_close(task_id=task.pk)
    reason = f"withdrawn before the decision: {commitment.withdrawal_reason}".strip(": ")
    audit_cancelled(tasks=open_tasks, by=by, reason=reason)
    return len(open_tasks)


withdrawal_listener_register(verification_cancel_on_withdrawal)
