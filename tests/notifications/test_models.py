"""The delivery log's constraints: a message is logged as sent at most once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import DeliveryAttempt
from notifications.services.delivery import outbox_deliver_next
from notifications.services.outbox import outbox_enqueue, recipient_preference_set
from tests.factories import UserFactory


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


def test_a_second_sent_log_for_a_message_is_impossible(person):
    from django.db import IntegrityError, transaction

    message = enqueue(person, "inapp")
    outbox_deliver_next()

    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryAttempt.objects.create(message=message, number=2, at=timezone.now(), outcome="sent")
