"""The outbox delivers each message once per key, on e-mail, SMS and the in-app inbox, and
retries with back-off what can succeed later, against real local peers."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications.models import DeliveryAttempt, Notification, OutboxMessage
from notifications.services import (
    outbox_deliver_due,
    outbox_deliver_next,
    outbox_enqueue,
    outbox_retry_delay,
    recipient_preference_set,
)
from tests.factories import UserFactory
from tests.notifications.peers import SmsGateway, SmtpServer, free_port

T0 = datetime.datetime(2030, 1, 7, 1, 0, tzinfo=datetime.UTC)  # after every enqueue here


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://chengnuo.example.gov.cn"
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    return settings.EMAIL_PORT


def gateway(settings, **options) -> SmsGateway:
    server = SmsGateway(**options).start()
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_TOKEN = "gw-token"
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    return server


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


def test_the_same_key_is_written_once(person):
    first, created_first = outbox_enqueue(
        key="k", channel="email", recipient=person, subject="S", body="B", language="en"
    )
    second, created_second = outbox_enqueue(
        key="k", channel="email", recipient=person, subject="S2", body="B2", language="en"
    )

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


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


def test_sms_gateway_500_is_retried_and_sent_once(person, settings):
    sms = gateway(settings, script=["500"])
    try:
        message = enqueue(person, "sms")
        with time_machine.travel(T0, tick=False):
            outbox_deliver_next()
        message.refresh_from_db()
        assert (message.status, message.last_error) == ("failed", "SMS gateway answered 500")

        with time_machine.travel(T0 + datetime.timedelta(seconds=31), tick=False):
            outbox_deliver_next()
    finally:
        sms.stop()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert [r["action"] for r in sms.requests] == ["500", "ok"]
    assert {r["key"] for r in sms.requests} == {"warning:o1:s1:sms"}
    assert sms.requests[0]["authorization"] == "Bearer gw-token"
    assert list(sms.sent) == ["warning:o1:s1:sms"]
    assert sms.sent["warning:o1:s1:sms"]["to"] == "13800000000"


def test_sms_gateway_timeout_is_retried_with_the_same_key_and_never_doubled(person, settings):
    # the gateway sends the SMS but answers after the client has given up
    sms = gateway(settings, script=["slow"], slow_seconds=1.5)
    try:
        message = enqueue(person, "sms")
        with time_machine.travel(T0, tick=False):
            outbox_deliver_next()
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.FAILED
        assert "unreachable" in message.last_error or "timed out" in message.last_error

        with time_machine.travel(T0 + datetime.timedelta(seconds=31), tick=False):
            outbox_deliver_next()
    finally:
        sms.stop()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert [r["key"] for r in sms.requests] == ["warning:o1:s1:sms", "warning:o1:s1:sms"]
    assert len(sms.sent) == 1  # the gateway recognised the repeat by its Idempotency-Key


def test_sms_gateway_refusing_the_request_is_not_retried(person, settings):
    sms = gateway(settings, script=["400"])
    try:
        message = enqueue(person, "sms")
        outbox_deliver_next()
    finally:
        sms.stop()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 1)
    assert message.last_error == "SMS gateway answered 400"
    assert sms.sent == {}


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


def test_a_recipient_without_a_mobile_gets_a_dead_row_saying_why(db):
    user = UserFactory(username="no-mobile")

    message, _created = outbox_enqueue(
        key="k:sms", channel="sms", recipient=user, subject="S", body="B", language="en"
    )

    assert (message.status, message.last_error) == ("dead", "The recipient has no mobile number.")
    assert outbox_deliver_next() is None
    assert DeliveryAttempt.objects.count() == 0


def test_a_second_sent_log_for_a_message_is_impossible(person):
    from django.db import IntegrityError, transaction

    message = enqueue(person, "inapp")
    outbox_deliver_next()

    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryAttempt.objects.create(message=message, number=2, at=timezone.now(), outcome="sent")
