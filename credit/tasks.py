"""Idempotent background adapters of the credit services (scheduled by Celery beat)."""

from __future__ import annotations

from celery import shared_task

from credit import services


@shared_task
def breach_publication_end_due_task() -> int:
    """Stop publishing records past their maximum period (safe to run any number of times)."""
    return services.breach_publication_end_due()


@shared_task
def list_entries_enter_due_task() -> int:
    """Designate subjects whose black-list prior notice has run its course."""
    return services.list_entries_enter_due()
