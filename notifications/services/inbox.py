"""The in-application inbox: notify a user once per key, and mark a message read.

A new notification for a user with an e-mail address also goes out by e-mail: the task is
enqueued only once the notifying transaction commits (``notifications.tasks``, which runs
``notifications.services.delivery.notification_email``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import notification_email_task


@transaction.atomic
def notification_send(
    *, recipient: AbstractBaseUser, key: str, subject: str, body: str, link: str = ""
) -> Notification:
    """Notify once per ``key``: a retried or repeated event does not notify twice."""
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={"recipient": recipient, "subject": subject[:200], "body": body, "link": link},
    )
    if created and recipient.email:
        notification_id = notification.pk
        transaction.on_commit(lambda: notification_email_task.delay(notification_id))
    return notification


def notification_mark_read(*, notification: Notification, by: AbstractBaseUser) -> None:
    """Mark ``notification`` read, once, if ``by`` is its recipient."""
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
