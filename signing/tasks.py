"""Background work of the signing app: the daily archive-timestamp renewal."""

from celery import shared_task

from signing.archive import archive_retimestamp_due


@shared_task(name="signing.tasks.archive_retimestamp_task")
def archive_retimestamp_task() -> int:
    """Renew archives whose timestamps expire soon; safe to run any time (idempotent)."""
    return archive_retimestamp_due()
