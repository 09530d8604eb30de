"""The SMS channel against a real local gateway: retried when it can help, never doubled."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from notifications.models import OutboxMessage
from notifications.services.delivery import outbox_deliver_next
from notifications.services.outbox import outbox_enqueue, recipient_preference_set
from tests.factories import UserFactory
from tests.notifications.peers import SmsGateway

T0 = datetime.datetime(2030, 1, 7, 1, 0, tzinfo=datetime.UTC)  # after every enqueue here


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


def test_sms_gateway_timeout_is_retried_with_the_same_key_and_the_gateway_drops_the_repeat(
    person, settings
):
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
