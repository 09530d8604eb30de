"""Webhooks in batches: a fan-out is written in a fixed number of statements, a batch is
POSTed concurrently over kept-alive connections and recorded in one transaction, each outcome
on its own row (a failing receiver retries only its own), redirects are not followed."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credit.changes.models import RecordChangeNotice
from credit.changes.services import change_subscription_set, record_change_queue
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services.delivery import outbox_deliver_webhooks
from tests.credit.changes.receiver import Receiver, running_receiver
from tests.factories import BreachFactory, CallingSystemFactory

pytestmark = pytest.mark.django_db

REPAIRED = RecordChangeNotice.Change.REPAIRED


def _subscribe(url: str) -> str:
    _subscription, secret = change_subscription_set(
        system=CallingSystemFactory(), scope="all", url=url
    )
    return secret


def test_a_fan_out_takes_the_same_statements_for_3_or_30_systems():
    def statements(systems: int) -> int:
        for _index in range(systems):
            _subscribe("https://receiver.example.org/hook")
        breach = BreachFactory()
        with CaptureQueriesContext(connection) as queries:
            notices = record_change_queue(breach=breach, change=REPAIRED)
        assert (
            len(notices)
            == OutboxMessage.objects.filter(
                key__in=[f"record-change:{n.pk}" for n in notices]
            ).count()
        )
        return len(queries)

    few = statements(3)
    many = statements(27)  # 30 subscribers now

    assert few == many


def test_a_repeated_fan_out_queues_nothing_twice():
    _subscribe("https://receiver.example.org/hook")
    breach = BreachFactory()

    first = record_change_queue(breach=breach, change=REPAIRED)
    again = record_change_queue(breach=breach, change=REPAIRED)

    assert [n.pk for n in first] == [n.pk for n in again]
    assert [n.webhook_id for n in first] == [n.webhook_id for n in again]
    assert OutboxMessage.objects.count() == 1


def test_a_batch_reaches_every_receiver_and_is_recorded_in_one_go():
    with contextlib.ExitStack() as stack:
        receivers = [
            stack.enter_context(running_receiver(Receiver(keep_alive=True))) for _index in range(5)
        ]
        for receiver in receivers:
            receiver.secret = _subscribe(receiver.url)
        notices = record_change_queue(breach=BreachFactory(), change=REPAIRED)

        batch = outbox_deliver_webhooks()

    assert [m.status for m in batch] == ["sent"] * 5
    assert [[r.verdict for r in receiver.received] for receiver in receivers] == [["ok"]] * 5
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 5
    delivered = RecordChangeNotice.objects.filter(pk__in=[n.pk for n in notices])
    assert {(n.delivered_by, n.delivered_at) for n in delivered} == {("webhook", batch[0].sent_at)}


def test_deliveries_to_one_receiver_share_a_kept_alive_connection(settings):
    settings.WEBHOOK_CONCURRENCY = 1  # one after the other: each may reuse the last connection
    with running_receiver(Receiver(keep_alive=True)) as receiver:
        receiver.secret = _subscribe(receiver.url)
        for _index in range(6):
            record_change_queue(breach=BreachFactory(), change=REPAIRED)

        batch = outbox_deliver_webhooks()

    assert [m.status for m in batch] == ["sent"] * 6
    assert len({r.client_port for r in receiver.received}) == 1  # one TCP connection for six


def test_in_a_batch_a_failing_receiver_retries_alone(settings):
    with (
        running_receiver(Receiver(answers=[503])) as failing,
        running_receiver(Receiver()) as working,
    ):
        failing.secret = _subscribe(failing.url)
        working.secret = _subscribe(working.url)
        record_change_queue(breach=BreachFactory(), change=REPAIRED)

        batch = outbox_deliver_webhooks()

    outcomes = {m.address: (m.status, m.attempts) for m in batch}
    assert outcomes == {failing.url: ("failed", 1), working.url: ("sent", 1)}
    retry = OutboxMessage.objects.get(address=failing.url)
    assert retry.next_attempt_at > retry.created_at and "503" in retry.last_error
    assert list(
        DeliveryAttempt.objects.filter(message=retry).values_list("outcome", flat=True)
    ) == ["failed"]


def test_a_redirect_is_not_followed_and_gives_up(settings):
    with running_receiver(Receiver(answers=[302])) as receiver:
        receiver.secret = _subscribe(receiver.url)
        record_change_queue(breach=BreachFactory(), change=REPAIRED)

        [message] = outbox_deliver_webhooks()

    assert (message.status, "302" in message.last_error) == ("dead", True)
    assert len(receiver.received) == 1
