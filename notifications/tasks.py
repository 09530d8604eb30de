"""Background delivery. Safe to run twice: a delivered notification is not sent again."""

import smtplib

from celery import shared_task

from .services import notification_email


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def notification_email_task(self, notification_id: int) -> bool:
    return notification_email(notification_id=notification_id)
