"""Reads of the notifications app: a user's own notifications, and the outbox's due messages."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Notification, OutboxMessage


def notification_list(*, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=recipient)


def notification_unread_count(*, recipient: AbstractBaseUser) -> int:
    if not recipient.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()


def outbox_due(*, now: datetime) -> QuerySet[OutboxMessage]:
    """Messages still to deliver whose next attempt is due at ``now``."""
    return OutboxMessage.objects.filter(
        status__in=(OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED),
        next_attempt_at__lte=now,
    )


def outbox_has_due(*, now: datetime | None = None) -> bool:
    """Return whether any outbox message is due (now, unless ``now`` is given)."""
    return outbox_due(now=now or timezone.now()).exists()
