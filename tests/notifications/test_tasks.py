"""Kill a real Celery worker in the middle of delivering warnings, start it again, and prove
what ADR 0007 promises: every warning reaches the SMTP server at least once, and the only
repeat is the message in flight at the kill, with the same Message-ID.

PostgreSQL only: the claim relies on ``SELECT … FOR UPDATE SKIP LOCKED`` and on the server
rolling back the dead worker's open transaction.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection, transaction

from commitments.obligations.models import WarningSchedule
from commitments.obligations.tasks import obligation_warnings_sweep_task
from config import celery_app
from notifications.models import DeliveryAttempt, OutboxMessage
from tests.notifications.peers import SmtpServer, wait_for, worker_kill, worker_start
from tests.notifications.warnings_due import warnings_due, warnings_ready

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WARNINGS = 24
KILL_AT = 6  # the worker dies while the server takes the sixth message
POOL = 2  # the worker's concurrency: at most this many messages can be in flight


def _nothing_locked() -> bool:
    with transaction.atomic():
        claimable = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            status="pending"
        )
        return len(list(claimable.values_list("pk", flat=True))) == (
            OutboxMessage.objects.filter(status="pending").count()
        )


def _due_warnings(world) -> list[str]:
    """``WARNINGS`` obligations whose on-the-day e-mail warning is due now, alone in the outbox."""
    commitment, step = warnings_ready(world)
    return warnings_due(world, commitment, step, WARNINGS)


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_what_was_in_flight(
    world, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SKIP LOCKED, server-side rollback of a dead worker)")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    keys = _due_warnings(world)
    queue = f"chengnuo-kill-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    worker = None
    killed = threading.Event()

    def kill_mid_delivery(message: dict) -> None:
        # the server has taken the message; the worker dies before it hears "250" and commits
        if len(smtp.messages) == KILL_AT and not killed.is_set():
            worker_kill(worker)
            killed.set()

    smtp = SmtpServer(on_accept=kill_mid_delivery).start()
    worker = worker_start(
        queue=queue, broker_url=settings.CELERY_BROKER_URL, smtp_port=smtp.port, log=log
    )
    try:
        # when the beat's sweep runs, the worker delivers, and is SIGKILLed (pool included)
        # while the SMTP server takes the sixth message
        obligation_warnings_sweep_task.apply_async(queue=queue)
        wait_for(killed.is_set, what="the worker killed mid-delivery", timeout=120)
        # the dead worker's transaction is rolled back by the server: nothing stays locked
        wait_for(_nothing_locked, what="locks released")
        assert OutboxMessage.objects.count() == WARNINGS  # the sweep itself completed
        accepted_at_kill = Counter(m["key"] for m in smtp.messages)
        committed_at_kill = set(
            OutboxMessage.objects.filter(status="sent").values_list("key", flat=True)
        )
        # in flight: taken by the server, not committed "sent" by the worker
        in_flight = set(accepted_at_kill) - committed_at_kill
        assert len(committed_at_kill) == KILL_AT - 1
        assert 1 <= len(in_flight) <= POOL

        # and a worker starts again and the next beat runs the sweep
        worker = worker_start(
            queue=queue, broker_url=settings.CELERY_BROKER_URL, smtp_port=smtp.port, log=log
        )
        obligation_warnings_sweep_task.apply_async(queue=queue)
        wait_for(
            lambda: OutboxMessage.objects.filter(status="sent").count() == WARNINGS,
            what="every warning sent",
            timeout=120,
        )
    finally:
        worker_kill(worker)
        smtp.stop()
        celery_app.connection_for_write().default_channel.client.delete(queue)

    # then nothing is lost: every key reached the SMTP server at least once
    received = smtp.recorder.count_by_key()
    assert set(received) == set(keys)
    # and the only repeats are the messages in flight at the kill, each repeated once
    repeated = {key for key, count in received.items() if count > 1}
    assert repeated == in_flight
    assert all(received[key] == 2 for key in repeated)
    assert len(smtp.messages) == WARNINGS + len(in_flight) <= WARNINGS + POOL
    # and every copy of a message carries the Message-ID of its key, so a repeat is recognised
    for message in smtp.messages:
        assert message["message_id"] == f"<{message['key'].replace(':', '.')}@chengnuo.invalid>"
    # and the outbox says sent, with one "sent" log row per message
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == WARNINGS
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert WarningSchedule.objects.filter(status="done").count() == WARNINGS
