"""Notifications land in the in-application inbox once; their e-mail is an outbox row written
with them, kicked after the commit, and delivered by the beat when the broker is down."""

from __future__ import annotations

import logging

import pytest

from notifications.models import Channel, Notification, OutboxMessage
from notifications.services.inbox import notification_send
from notifications.tasks import outbox_deliver_task
from tests.factories import UserFactory
from tests.notifications.peers import celery_broker, free_port


@pytest.mark.django_db
def test_same_key_notifies_once_and_writes_one_email_to_the_outbox(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(username="reg", email="reg@example.test")

    with django_capture_on_commit_callbacks() as callbacks:
        first = notification_send(recipient=user, key="k1", subject="S", body="B")
        second = notification_send(recipient=user, key="k1", subject="S again", body="B")

    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=user).count() == 1
    email = OutboxMessage.objects.get()
    assert (email.key, email.channel, email.address, email.status) == (
        f"notification:{first.pk}:email",
        Channel.EMAIL,
        "reg@example.test",
        OutboxMessage.Status.PENDING,
    )
    assert email.language == "zh-hans"  # the recipient chose nothing
    assert len(callbacks) == 1  # one kick of the delivery, only after the commit


@pytest.mark.django_db
def test_a_user_without_an_email_address_gets_no_outbox_email():
    user = UserFactory(username="reg", email="")

    notification_send(recipient=user, key="k1", subject="S", body="B")

    assert Notification.objects.filter(recipient=user).count() == 1
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_broker_that_is_down_fails_nothing_and_the_beats_delivery_sends_the_email(
    smtp, django_capture_on_commit_callbacks, caplog
):
    # given a broker nobody listens for
    user = UserFactory(username="reg", email="reg@example.test")
    # when a notification is sent and its transaction commits (the kick runs and fails)
    with (
        celery_broker(f"redis://127.0.0.1:{free_port()}/0"),
        caplog.at_level(logging.WARNING, logger="notifications.tasks"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        notification = notification_send(recipient=user, key="k1", subject="S", body="B")

    # then nothing raised, the failed kick was logged and the e-mail waits in the outbox
    assert len(callbacks) == 1
    assert "broker unavailable, notifications.tasks.outbox_deliver_task" in caplog.text
    email = OutboxMessage.objects.get(key=f"notification:{notification.pk}:email")
    assert email.status == OutboxMessage.Status.PENDING
    assert smtp.messages == []

    # when the beat's delivery runs (the task's own entry point)
    result = outbox_deliver_task.apply().get()

    # then the e-mail reaches the SMTP server once, with the Message-ID of its key
    assert result == {"sent": 1, "failed": 0, "dead": 0}
    assert [(m["key"], m["message_id"]) for m in smtp.messages] == [
        (email.key, f"<notification.{notification.pk}.email@chengnuo.invalid>")
    ]
    assert OutboxMessage.objects.get(pk=email.pk).status == OutboxMessage.Status.SENT
