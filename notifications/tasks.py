"""Background delivery. Safe to run twice: a delivered message is never sent again."""

import smtplib

from celery import shared_task

from notifications.services.delivery import notification_email, outbox_deliver_due


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def notification_email_task(self, notification_id: int) -> bool:
    return notification_email(notification_id=notification_id)


@shared_task(bind=True, name="notifications.tasks.outbox_deliver_task")
def outbox_deliver_task(self, limit: int = 200) -> dict:
    """Deliver due outbox messages; continue while more are due, come back for retries.

    The outbox rows are the truth, not this task's message: a lost or repeated task only
    delays or repeats a claim, never a delivery. The deadline sweep also starts this task on
    every beat, so retries whose back-off has passed are picked up even if no task waits.
    """
    run = outbox_deliver_due(limit=limit)
    if run.more_due:
        self.apply_async(kwargs={"limit": limit})
    elif run.next_retry_at is not None:
        self.apply_async(kwargs={"limit": limit}, eta=run.next_retry_at)
    return {"sent": run.sent, "failed": run.failed, "dead": run.dead}
