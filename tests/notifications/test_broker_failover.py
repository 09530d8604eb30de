"""The broker's high availability as docs/deployment.md configures it, with real processes.

RabbitMQ with quorum queues: three nodes of the test's own in one cluster; the tasks'
queue is a quorum queue (``CELERY_TASK_DEFAULT_QUEUE_TYPE=quorum``) replicated on all three.
A sweep is sent while no worker runs, then the node the sender used (the queue's first
leader) is SIGKILLed; the two others elect a leader and keep the message, a worker started
with the same list of broker URLs takes it from them, and a second sweep sent with that
node still dead is delivered too.

Redis behind Sentinel: a primary, a replica and three sentinels of the test's own; a real
worker and the sending process find the primary through the sentinels
(``CELERY_BROKER_URL=sentinel://…``, ``CELERY_BROKER_TRANSPORT_OPTIONS={"master_name": …}``,
the settings production reads). The primary is killed (SIGKILL: a host lost); the sentinels
promote the replica; the worker, without a restart, takes the next sweep from the new
primary. Every warning reaches the SMTP server, with the Message-ID of its key, and the
outbox says sent: a message the old primary held and the replica had not yet copied would
be lost from the broker, and the outbox rows (ADR 0007), not the broker, are what a later
sweep delivers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from notifications.models import OutboxMessage
from tests.notifications.peers import (
    ROOT,
    RabbitNode,
    SmtpServer,
    redis_behind_sentinels,
    wait_for,
    worker_kill,
    worker_start,
)
from tests.notifications.warnings_due import warnings_due, warnings_ready

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MASTER = "chengnuo"
WARNINGS = 8  # per sweep


def _send_sweep(env: dict[str, str]) -> None:
    """Send the beat's deadline sweep from a process of its own, configured like the web
    server and the scheduler (the environment's broker settings), as the scheduler does."""
    code = (
        "import django; django.setup(); "
        "from commitments.obligations.tasks import obligation_warnings_sweep_task as t; "
        "t.apply_async()"
    )
    subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        timeout=60,
        capture_output=True,
    )


def _worker(queue: str, env: dict[str, str], smtp: SmtpServer, tmp_path):
    """A real worker on ``queue`` with the broker settings of ``env``."""
    return worker_start(
        queue=queue,
        broker_url=env["CELERY_BROKER_URL"],
        smtp_port=smtp.port,
        log=tmp_path / "worker.log",
        env=env,
    )


def _sent(keys: list[str]) -> bool:
    return OutboxMessage.objects.filter(key__in=keys, status="sent").count() == len(keys)


def test_a_lost_broker_primary_behind_sentinel_loses_no_warning(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a real worker process shares the test's database)")
    commitment, step = warnings_ready(world)

    primary, replica, sentinels = redis_behind_sentinels(tmp_path, MASTER)
    smtp = SmtpServer().start()
    queue = f"chengnuo-sentinel-{uuid.uuid4().hex[:12]}"
    env = {
        "CELERY_BROKER_URL": ";".join(f"sentinel://127.0.0.1:{s.port}" for s in sentinels),
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps({"master_name": MASTER}),
        "CHENGNUO_TEST_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
    }
    worker = None
    try:
        wait_for(
            lambda: all(s.replicas_seen() == 1 for s in sentinels),
            what="the sentinels see the replica",
            timeout=30,
        )
        worker = _worker(queue, env, smtp, tmp_path)
        # Before the loss: a sweep through the sentinels' primary, delivered.
        before = warnings_due(world, commitment, step, WARNINGS)
        _send_sweep(env)
        wait_for(lambda: _sent(before), what="the first sweep's warnings sent", timeout=120)
        assert sentinels[0].primary_port() == primary.port

        # The primary's host is lost; the sentinels agree and promote the replica.
        primary.kill()
        wait_for(
            lambda: all(s.primary_port() == replica.port for s in sentinels),
            what="the replica promoted",
            timeout=60,
        )

        # The same worker, not restarted, takes the next sweep from the new primary.
        after = warnings_due(world, commitment, step, WARNINGS)
        _send_sweep(env)
        wait_for(lambda: _sent(after), what="the second sweep's warnings sent", timeout=120)
        assert worker.poll() is None, "the worker survived the failover"
    finally:
        if worker is not None:
            worker_kill(worker)
        smtp.stop()
        for server in (*sentinels, replica, primary):
            server.stop()

    keys = before + after
    received = smtp.recorder.count_by_key()
    assert set(received) == set(keys)  # every warning, before and after the loss
    assert all(count == 1 for count in received.values())  # none twice: nothing was in flight
    for message in smtp.messages:
        assert message["message_id"] == f"<{message['key'].replace(':', '.')}@chengnuo.invalid>"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def _rabbit_skip_reason() -> str:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (a real worker process shares the test's database)"
    if shutil.which("rabbitmq-server") is None:
        return "RabbitMQ is not installed"
    if os.geteuid() != 0:
        return "rabbitmq-server runs its nodes as the rabbitmq user: needs root"
    return ""


def test_a_lost_rabbitmq_node_keeps_the_quorum_queues_messages(world, tmp_path):
    if reason := _rabbit_skip_reason():
        pytest.skip(reason)
    commitment, step = warnings_ready(world)
    tag = uuid.uuid4().hex[:8]
    nodes = [RabbitNode(f"chengnuo-{tag}-{n}").launch() for n in range(3)]
    smtp = SmtpServer().start()
    queue = f"chengnuo-quorum-{tag}"
    worker = None
    try:
        for node in nodes:
            node.ready()
        for node in nodes[1:]:
            node.join(nodes[0])
        env = {
            # Celery's failover list: a client tries the next node when one is lost.
            "CELERY_BROKER_URL": ";".join(node.url for node in nodes),
            "CELERY_TASK_DEFAULT_QUEUE_TYPE": "quorum",
            "CHENGNUO_TEST_QUEUE": queue,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        }
        # A sweep waits in the queue, no worker running: a quorum queue, on every node.
        before = warnings_due(world, commitment, step, WARNINGS)
        _send_sweep(env)
        # (a node reports a queue's counts every few seconds, not at once)
        for node in (nodes[0], nodes[2]):
            wait_for(
                lambda node=node: _quietly(node.queue, queue) == ("quorum", 1),
                what=f"the sweep waiting in the quorum queue, seen from {node.name}",
                timeout=60,
            )

        # The node that took it (the queue's first leader) is lost; the others keep it.
        nodes[0].kill()
        with pytest.raises(RuntimeError):
            nodes[0].ctl("ping", timeout=30)
        wait_for(
            lambda: _quietly(nodes[1].queue, queue) == ("quorum", 1),
            what="the queue led by a surviving node, its message kept",
            timeout=60,
        )

        worker = _worker(queue, env, smtp, tmp_path)
        wait_for(lambda: _sent(before), what="the kept sweep's warnings sent", timeout=120)
        # A sweep sent with that node still dead goes to a surviving one.
        after = warnings_due(world, commitment, step, WARNINGS)
        _send_sweep(env)
        wait_for(lambda: _sent(after), what="the next sweep's warnings sent", timeout=120)
    finally:
        if worker is not None:
            worker_kill(worker)
        smtp.stop()
        for node in nodes:
            node.stop()

    received = smtp.recorder.count_by_key()
    assert set(received) == set(before + after)
    assert all(count == 1 for count in received.values())
    for message in smtp.messages:
        assert message["message_id"] == f"<{message['key'].replace(':', '.')}@chengnuo.invalid>"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def _quietly(read, *arguments):
    """``read(*arguments)``, or None while the cluster cannot answer yet."""
    try:
        return read(*arguments)
    except (RuntimeError, subprocess.TimeoutExpired):
        return None
