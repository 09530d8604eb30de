"""Kill a real Celery worker in the middle of delivering warnings, start it again, and prove
that every warning reached the SMTP server exactly once.

PostgreSQL only: the claim relies on ``SELECT … FOR UPDATE SKIP LOCKED`` and on the server
rolling back the dead worker's open transaction.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from commitments.obligations.models import Obligation, WarningSchedule, WarningStep
from commitments.obligations.tasks import obligation_warnings_sweep_task
from config import celery_app
from notifications.models import DeliveryAttempt, OutboxMessage
from tests.notifications.peers import SmtpServer
from tests.workflows.conftest import submit_commitment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WARNINGS = 24
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(condition, *, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll a condition until it holds (bounded), for real processes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.05)


def _start_worker(*, queue: str, smtp_port: int, log: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CHENGNUO_TEST_QUEUE": queue,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,  # the broker this test sends to
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "10",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "--pool",
            "prefork",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes the pool children too
    )


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _nothing_locked() -> bool:
    with transaction.atomic():
        claimable = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            status="pending"
        )
        return len(list(claimable.values_list("pk", flat=True))) == (
            OutboxMessage.objects.filter(status="pending").count()
        )


def _due_warnings(world) -> list[str]:
    """``WARNINGS`` obligations whose on-the-day e-mail warning is due now."""
    commitment = submit_commitment(world)
    step, _created = WarningStep.objects.update_or_create(  # the default ladder's rung, e-mail only
        template=world.template,
        relative="at",
        offset=0,
        audience="applicant",
        defaults={"channels": ["email"]},
    )
    rule = world.template.obligation_rules.get()
    today = timezone.localdate()
    past = timezone.now() - datetime.timedelta(minutes=1)
    keys = []
    for index in range(WARNINGS):
        obligation = Obligation.objects.create(
            commitment=commitment,
            rule=rule,
            title=f"义务 {index}",
            due_date=today,
            due_basis={
                "start": today.isoformat(),
                "count": 0,
                "unit": "calendar_days",
                "skipped": 0,
                "due_date": today.isoformat(),
            },
        )
        WarningSchedule.objects.create(
            obligation=obligation, step=step, kind="warning", due_at=past
        )
        keys.append(f"warning:o{obligation.pk}:s{step.pk}:email:u{world.applicant.pk}")
    return keys


def test_a_worker_killed_mid_delivery_loses_and_doubles_no_warning(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SKIP LOCKED, server-side rollback of a dead worker)")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    keys = _due_warnings(world)
    queue = f"chengnuo-kill-{uuid.uuid4().hex[:12]}"
    # a slow SMTP peer (0.25 s before it takes each recipient) so the kill lands mid-batch
    smtp = SmtpServer(rcpt_delay=0.25).start()
    log = tmp_path / "worker.log"
    worker = _start_worker(queue=queue, smtp_port=smtp.port, log=log)
    try:
        # when the beat's sweep runs and the worker starts delivering
        obligation_warnings_sweep_task.apply_async(queue=queue)
        # and, once five are delivered and committed, the worker is killed (SIGKILL, pool
        # included) while it talks to the SMTP server about the next one. (A kill in the
        # instant between the server's "250" and our COMMIT would resend that one message
        # with the same Message-ID: the documented at-least-once window of any SMTP client.)
        _wait_for(
            lambda: (
                len(smtp.messages) >= 5
                and OutboxMessage.objects.filter(status="sent").count() == len(smtp.messages)
            ),
            what="first deliveries committed",
            timeout=120,
        )
        _kill(worker)
        delivered_before_kill = len(smtp.messages)
        assert 5 <= delivered_before_kill < WARNINGS
        # the dead worker's transaction is rolled back by the server: nothing stays locked
        _wait_for(_nothing_locked, what="locks released")
        assert OutboxMessage.objects.count() == WARNINGS  # the sweep itself completed
        assert OutboxMessage.objects.filter(status="sent").count() == delivered_before_kill

        # and a worker starts again and the next beat runs the sweep
        worker = _start_worker(queue=queue, smtp_port=smtp.port, log=log)
        obligation_warnings_sweep_task.apply_async(queue=queue)
        _wait_for(
            lambda: OutboxMessage.objects.filter(status="sent").count() == WARNINGS,
            what="every warning sent",
            timeout=120,
        )
    finally:
        if worker.poll() is None:
            _kill(worker)
        smtp.stop()
        celery_app.connection_for_write().default_channel.client.delete(queue)

    # then the SMTP server received every warning exactly once
    assert smtp.recorder.count_by_key() == dict.fromkeys(keys, 1)
    assert len(smtp.messages) == WARNINGS
    assert {m["message_id"] for m in smtp.messages} == {
        f"<{key.replace(':', '.')}@chengnuo.invalid>" for key in keys
    }
    # and the outbox says so, with one "sent" log row per message
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == WARNINGS
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert WarningSchedule.objects.filter(status="done").count() == WARNINGS
