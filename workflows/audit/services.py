"""Writing the tasks' audit: a cancellation by a person or by the platform, and the one a timer
makes when it cancels the task it guards (every flow's interrupting timers, ADR 0032)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from viewflow.workflow.models import Task

from directory.audit import system_user
from workflows.audit.models import TaskAuditEntry


def audit_cancelled(
    *,
    tasks: Iterable[Task],
    by: AbstractBaseUser | None,
    reason: str,
    from_statuses: Mapping[int, str] | None = None,
) -> list[TaskAuditEntry]:
    """Record each task a cancellation closed: who cancelled (the platform when nobody did),
    when, the state the task left, who held it, and why (the applicant's withdrawal, a timer).

    ``from_statuses``: the state each task left, by task key, when the tasks given were
    already cancelled (a timer's); otherwise each task's own state is the one it leaves."""
    actor, at = by or system_user(), timezone.now()
    return TaskAuditEntry.objects.bulk_create(
        [
            TaskAuditEntry(
                task=task,
                kind=TaskAuditEntry.Kind.CANCELLED,
                actor=actor,
                from_user_id=task.owner_id,
                from_status=(from_statuses or {}).get(task.pk, task.status),
                reason=reason,
                at=at,
            )
            for task in tasks
        ]
    )


def audit_timer_cancelled(*, activation, cancelled: list, reason: str) -> list[TaskAuditEntry]:
    """Audit each task a timer cancelled (``cancelled``: ``[(task, state it left), ...]``):
    the platform did it, from the state the task left, for ``reason`` — a text with
    ``%(due)s``, the moment the timer was due, in the city's time."""
    due = timezone.localtime(activation.task.scheduled).isoformat(timespec="minutes")
    return audit_cancelled(
        tasks=[task for task, _from_status in cancelled],
        by=None,
        reason=reason % {"due": due},
        from_statuses={task.pk: from_status for task, from_status in cancelled},
    )
