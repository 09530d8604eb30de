"""Idempotent background adapters of the credit record's services (scheduled by Celery beat)."""

from __future__ import annotations

from celery import shared_task

from credit.record.services.lists import list_entries_enter_due
from credit.record.services.publicity import breach_publication_end_due, list_entries_exit_due


@shared_task
def breach_publication_end_due_task() -> int:
    """Stop publishing records past their maximum period (safe to run any number of times)."""
    return breach_publication_end_due()


@shared_task
def list_entries_enter_due_task() -> int:
    """Designate subjects whose black-list prior notice has run its course."""
    return list_entries_enter_due()


@shared_task
def list_entries_exit_due_task() -> int:
    """End designations whose listing period is over."""
    return list_entries_exit_due()
