"""Send a message to a user: in the application at once, by e-mail after the commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Notification


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
        from .tasks import notification_email_task

        notification_id = notification.pk
        transaction.on_commit(lambda: notification_email_task.delay(notification_id))
    return notification


def notification_mark_read(*, notification: Notification, by: AbstractBaseUser) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_email(*, notification_id: int) -> bool:
    """Deliver one notification by e-mail unless it was already delivered; True if sent now."""
    from django.core.mail import send_mail

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        body = notification.body
        if notification.link:
            # Links are stored site-relative; a mail reader needs the whole address.
            link = notification.link
            if link.startswith("/"):
                link = settings.SITE_URL.rstrip("/") + link
            body = f"{body}\n\n{link}"
        send_mail(notification.subject, body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
