"""Delivery reaches real local peers once per key, and retries with back-off what can
succeed later."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from notifications.models import Notification, OutboxMessage
from notifications.services.delivery import (
    outbox_deliver_due,
    outbox_deliver_next,
    outbox_retry_delay,
)
from notifications.services.inbox import notification_send
from notifications.services.outbox import outbox_enqueue, recipient_preference_set
from tests.factories import UserFactory
from tests.notifications.peers import SmtpServer, free_port

T0 = datetime.datetime(2030, 1, 7, 1, 0, tzinfo=datetime.UTC)  # after every enqueue here


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    return settings.EMAIL_PORT


@pytest.fixture
def person(db):
    user = UserFactory(username="applicant", email="applicant@example.test")
    recipient_preference_set(user=user, mobile="13800000000")
    return user


def enqueue(person, channel: str, key: str = "warning:o1:s1"):
    message, _created = outbox_enqueue(
        key=f"{key}:{channel}",
        channel=channel,
        recipient=person,
        subject="【承诺履行提醒】取得场所合法使用证明将于2026-03-30到期",
        body="请按期履行。",
        language="zh-hans",
        link="/commitments/obligations/1/",
    )
    return message


def test_email_reaches_the_smtp_server_once_with_a_message_id_from_the_key(person, smtp):
    message = enqueue(person, "email")

    first = outbox_deliver_next()
    second = outbox_deliver_next()

    assert first.pk == message.pk
    assert second is None
    assert len(smtp.messages) == 1
    delivered = smtp.messages[0]
    assert delivered["to"] == ["applicant@example.test"]
    assert delivered["message_id"] == "<warning.o1.s1.email@chengnuo.invalid>"
    assert delivered["key"] == "warning:o1:s1:email"
    assert "https://chengnuo.example.gov.cn/commitments/obligations/1/" in delivered["body"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert list(message.deliveries.values_list("number", "outcome")) == [(1, "sent")]


def test_smtp_down_fails_with_back_off_and_delivers_once_when_it_returns(
    person, smtp_down, settings
):
    message = enqueue(person, "email")

    with time_machine.travel(T0, tick=False):
        outbox_deliver_next()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 1
    assert message.next_attempt_at == T0 + datetime.timedelta(seconds=30)
    assert "SMTP" in message.last_error
    assert list(message.deliveries.values_list("number", "outcome")) == [(1, "failed")]

    # not due again before the back-off has passed
    with time_machine.travel(T0 + datetime.timedelta(seconds=29), tick=False):
        assert outbox_deliver_next() is None

    # the server comes back on the same port; the retry delivers once
    server = SmtpServer(port=smtp_down).start()
    try:
        with time_machine.travel(T0 + datetime.timedelta(seconds=31), tick=False):
            run = outbox_deliver_due()
        assert (run.sent, run.failed, run.dead) == (1, 0, 0)
        assert server.recorder.count_by_key() == {"warning:o1:s1:email": 1}
    finally:
        server.stop()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert list(message.deliveries.values_list("number", "outcome")) == [
        (1, "failed"),
        (2, "sent"),
    ]


def test_back_off_doubles_up_to_its_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600

    delays = [outbox_retry_delay(n).total_seconds() for n in range(1, 10)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_message_gives_up_after_the_last_attempt(person, smtp_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue(person, "email")

    now = T0
    for _attempt in range(3):
        with time_machine.travel(now, tick=False):
            outbox_deliver_next()
        now += datetime.timedelta(hours=2)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert message.deliveries.filter(outcome="failed").count() == 3
    with time_machine.travel(now, tick=False):
        assert outbox_deliver_next() is None


def test_in_app_delivery_writes_the_inbox_entry_once(person):
    message = enqueue(person, "inapp")

    outbox_deliver_next()
    outbox_deliver_next()

    assert Notification.objects.filter(recipient=person).count() == 1
    notification = Notification.objects.get(recipient=person)
    assert notification.key == "outbox:warning:o1:s1:inapp"
    assert notification.link == "/commitments/obligations/1/"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_a_notifications_email_is_an_outbox_message_delivered_once_with_its_message_id(smtp):
    # given a notification to a regulator with an e-mail address
    user = UserFactory(username="reg", email="reg@example.test")
    notification = notification_send(
        recipient=user, key="k2", subject="待核查承诺", body="请核查。", link="/regulator/tasks/7/"
    )
    key = f"notification:{notification.pk}:email"
    assert OutboxMessage.objects.get().key == key

    # when delivery runs twice
    first = outbox_deliver_due()
    second = outbox_deliver_due()

    # then the SMTP server got it once, with the link made absolute and a Message-ID of its key
    assert (first.sent, second.sent) == (1, 0)
    assert len(smtp.messages) == 1
    delivered = smtp.messages[0]
    assert delivered["to"] == ["reg@example.test"]
    assert delivered["key"] == key
    assert delivered["message_id"] == f"<notification.{notification.pk}.email@chengnuo.invalid>"
    assert "https://chengnuo.example.gov.cn/regulator/tasks/7/" in delivered["body"]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_smtp_server_down_leaves_the_notifications_email_to_retry(smtp_down):
    user = UserFactory(username="reg", email="reg@example.test")
    notification_send(recipient=user, key="k3", subject="S", body="B")

    run = outbox_deliver_due()

    message = OutboxMessage.objects.get()
    assert (run.sent, run.failed) == (0, 1)
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 1
    assert Notification.objects.filter(key="k3").count() == 1
