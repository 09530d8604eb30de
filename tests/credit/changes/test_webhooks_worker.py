"""A real Celery worker delivers record-change webhooks to a real receiver on loopback: the
receiver fails, the worker records the failure and backs off, the receiver recovers, the next
run delivers, every signature verifies and the notice is marked delivered."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config import celery_app
from credit.changes.models import RecordChangeNotice
from credit.changes.services import change_subscription_set, record_change_queue
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.tasks import outbox_deliver_task
from tests.credit.changes.receiver import Receiver, running_receiver
from tests.factories import BreachFactory, CallingSystemFactory
from tests.notifications.peers import free_port, wait_for, worker_kill, worker_start

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_delivers_after_the_receiver_recovers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker runs on the test's PostgreSQL database")
    queue = f"chengnuo-webhooks-{uuid.uuid4().hex[:12]}"
    worker = None
    with running_receiver(Receiver(answers=[503])) as receiver:
        system = CallingSystemFactory()
        _subscription, receiver.secret = change_subscription_set(
            system=system, scope="all", url=receiver.url
        )
        notices = record_change_queue(
            breach=BreachFactory(), change=RecordChangeNotice.Change.REVOKED
        )
        message = OutboxMessage.objects.get(pk=notices[0].webhook_id)
        worker = worker_start(
            queue=queue,
            broker_url=settings.CELERY_BROKER_URL,
            smtp_port=free_port(),
            log=tmp_path / "worker.log",
        )
        try:
            outbox_deliver_task.apply_async(queue=queue)
            wait_for(
                lambda: DeliveryAttempt.objects.filter(message=message).exists(),
                what="the first attempt",
                timeout=120,
            )
            message.refresh_from_db()
            assert message.status == OutboxMessage.Status.FAILED
            assert message.next_attempt_at > timezone.now()  # backed off
            # the back-off passes (the clock is the row's), and the beat runs the delivery
            OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
            outbox_deliver_task.apply_async(queue=queue)
            wait_for(
                lambda: RecordChangeNotice.objects.filter(
                    pk=notices[0].pk, delivered_at__isnull=False
                ).exists(),
                what="the notice delivered",
                timeout=120,
            )
        finally:
            worker_kill(worker)
            celery_app.connection_for_write().default_channel.client.delete(queue)
    assert [r.verdict for r in receiver.received] == ["ok", "ok"]
    assert [r.answered for r in receiver.received] == [503, 200]
    notice = RecordChangeNotice.objects.get(pk=notices[0].pk)
    assert notice.delivered_by == "webhook"
    assert list(
        DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True)
    ) == ["failed", "sent"]
