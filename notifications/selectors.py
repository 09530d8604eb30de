"""Reads of a user's own notifications."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from notifications.models import Notification


def notification_list(*, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=recipient)


def notification_unread_count(*, recipient: AbstractBaseUser) -> int:
    if not recipient.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
