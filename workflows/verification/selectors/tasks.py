"""Reads of the verification work for a viewer: only the viewer's departments' tasks.

Lists are sorted by the commitment's verification deadline (most urgent first), then by
when the task was created, and fetch what the pages show in one query.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment
from directory.selectors import department_ids_of
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.flows import InformCommitFlow

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# Only what a person did: start, timers and the end are the engine's bookkeeping, and a
# scheduled timer would read as a deadline that has passed.
TIMELINE_TASK_TYPES = ("HUMAN",)


def _human_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(flow_task__in=InformCommitFlow.human_task_refs())
        .select_related(
            "owner",
            "process",
            "process__commitment",
            "process__commitment__subject",
            "process__commitment__template",
            "process__commitment__department",
        )
        .order_by(
            F("process__commitment__verification_due_at").asc(nulls_last=True),
            "created",
            "pk",
        )
    )


def _of_departments(user: AbstractBaseUser) -> QuerySet[Task]:
    if not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    return _human_tasks().filter(process__commitment__department_id__in=department_ids_of(user))


def task_inbox(*, user: AbstractBaseUser) -> QuerySet[Task]:
    """Open tasks the user owns."""
    return _of_departments(user).filter(owner=user, status__in=(STATUS.ASSIGNED, STATUS.STARTED))


def task_queue(*, user: AbstractBaseUser) -> QuerySet[Task]:
    """Unassigned open tasks of the user's departments, for anyone there to claim."""
    return _of_departments(user).filter(owner__isnull=True, status=STATUS.NEW)


def task_get(*, pk: int, user: AbstractBaseUser) -> Task:
    """One task of the user's departments (open or closed), or NOT_FOUND."""
    try:
        return _of_departments(user).get(pk=pk)
    except Task.DoesNotExist:
        raise WorkflowError(WorkflowErrorCode.NOT_FOUND, "No such task.") from None


def commitment_tasks(*, commitment: Commitment) -> QuerySet[Task]:
    """The steps of the commitment's verification process for its timeline, oldest first.

    Each row has ``title``, ``owner``, ``created``, ``finished`` and ``status``.
    """
    if commitment.process_id is None:
        return Task.objects.none()
    return (
        Task.objects.filter(
            process_id=commitment.process_id, flow_task_type__in=TIMELINE_TASK_TYPES
        )
        .exclude(status=STATUS.CANCELED)
        .select_related("owner")
        .order_by("created", "pk")
    )
