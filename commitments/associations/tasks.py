"""Idempotent background adapters for associations (registered through ``CELERY_IMPORTS``)."""

from __future__ import annotations

from celery import shared_task

from commitments.associations.services.issue import bulk_issue_process, bulk_issues_stalled
from notifications.tasks import task_kick


@shared_task(acks_late=True)
def bulk_issue_process_task(bulk_issue_id: int) -> dict:
    """Process a members' file from where it stopped; nothing if it is finished."""
    bulk = bulk_issue_process(bulk_issue_id=bulk_issue_id)
    return {"status": bulk.status, "rows_done": bulk.rows_done}


@shared_task
def bulk_issues_resume_task() -> int:
    """Re-queue the files a killed worker left queued or half processed (beat)."""
    stalled = bulk_issues_stalled()
    for pk in stalled:
        task_kick(bulk_issue_process_task, bulk_issue_id=pk)
    return len(stalled)
