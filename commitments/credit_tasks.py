"""Idempotent background adapters for the end of listings (registered through
``CELERY_IMPORTS``; scheduled by Celery beat). Repair and objection time limits are timers
of their flows (``workflows.repair_flows``), fired by the workflow-timer beat entry."""

from __future__ import annotations

from celery import shared_task

from credit.services_publicity import list_entries_exit_due


@shared_task
def list_entries_exit_due_task() -> int:
    """End designations whose listing period is over."""
    return list_entries_exit_due()
