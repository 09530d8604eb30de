"""Notifications land in the in-application inbox once, and enqueue one e-mail on commit."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.services.inbox import notification_send
from tests.factories import UserFactory


@pytest.mark.django_db
def test_same_key_notifies_once(django_capture_on_commit_callbacks):
    user = UserFactory(username="reg", email="reg@example.test")

    with django_capture_on_commit_callbacks() as callbacks:
        first = notification_send(recipient=user, key="k1", subject="S", body="B")
        second = notification_send(recipient=user, key="k1", subject="S again", body="B")

    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(callbacks) == 1  # one e-mail task, enqueued only after the commit
