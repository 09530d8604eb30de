"""Writing to the outbox: once per key, and a dead row saying why when there is no address."""

from __future__ import annotations

import pytest

from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services.delivery import outbox_deliver_next
from notifications.services.outbox import outbox_enqueue, recipient_preference_set
from tests.factories import UserFactory


@pytest.fixture
def person(db):
    user = UserFactory(username="applicant", email="applicant@example.test")
    recipient_preference_set(user=user, mobile="13800000000")
    return user


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


def test_a_recipient_without_a_mobile_gets_a_dead_row_saying_why(db):
    user = UserFactory(username="no-mobile")

    message, _created = outbox_enqueue(
        key="k:sms", channel="sms", recipient=user, subject="S", body="B", language="en"
    )

    assert (message.status, message.last_error) == ("dead", "The recipient has no mobile number.")
    assert outbox_deliver_next() is None
    assert DeliveryAttempt.objects.count() == 0
