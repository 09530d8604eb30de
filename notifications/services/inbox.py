"""The in-application inbox: notify a user once per key, and mark a message read.

A new notification for a user with an e-mail address also goes out by e-mail: the e-mail is
an outbox message written in the same transaction (key ``notification:<pk>:email``), so it is
never lost, and ``notifications.tasks.outbox_deliver_task`` delivers it (kicked after the
commit when the broker answers, and on every beat in any case).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from directory.rows import insert_unless_exists
from notifications.models import Channel, Notification
from notifications.services.outbox import outbox_enqueue, recipient_language
from notifications.tasks import outbox_deliver_task, task_kick_on_commit


def notification_email_key(notification: Notification) -> str:
    """The outbox key of a notification's e-mail (also its Message-ID's local part)."""
    return f"notification:{notification.pk}:email"


@transaction.atomic(savepoint=False)  # part of the causing transaction, all or nothing
def notification_send(
    *, recipient: AbstractBaseUser, key: str, subject: str, body: str, link: str = ""
) -> Notification:
    """Notify once per ``key``: a retried or repeated event does not notify twice."""
    notification = Notification(
        key=key, recipient=recipient, subject=subject[:200], body=body, link=link
    )
    if not insert_unless_exists(notification, conflict="key"):
        return Notification.objects.get(key=key)
    if recipient.email:
        outbox_enqueue(
            key=notification_email_key(notification),
            channel=Channel.EMAIL,
            recipient=recipient,
            subject=notification.subject,
            body=body,
            link=link,
            language=recipient_language(user=recipient),
        )
        task_kick_on_commit(outbox_deliver_task)
    return notification


def notification_mark_read(*, notification: Notification, by: AbstractBaseUser) -> None:
    """Mark ``notification`` read, once, if ``by`` is its recipient."""
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
