"""Upkeep of the queue index outside a task's own transaction.

Drop the rows of tasks closed without the services (a cancelled process, say), and index the
open verification tasks that have no row yet (after an upgrade). Run by the delegation sweep
and ``manage.py queue_index_rebuild``.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.queue import index_open_task

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def index_prune() -> int:
    """Drop rows of tasks closed outside the services (a cancelled process, say)."""
    open_task = Task.objects.filter(pk=OuterRef("task_id"), status__in=OPEN_TASK_STATUSES)
    deleted, _detail = VerificationTaskIndex.objects.filter(~Exists(open_task)).delete()
    return deleted


def index_rebuild() -> int:
    """Index every open verification task that has no row yet (after an upgrade)."""
    missing = (
        Task.objects.filter(
            flow_task__in=InformCommitFlow.human_task_refs(), status__in=OPEN_TASK_STATUSES
        )
        .exclude(Exists(VerificationTaskIndex.objects.filter(task_id=OuterRef("pk"))))
        .select_related("process")
    )
    created = 0
    for task in missing.iterator():
        if index_open_task(task=task, is_escalated=task.flow_task == InformCommitFlow.escalate):
            created += 1
    return created
