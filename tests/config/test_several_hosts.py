"""Several machines, for real: a web host, two worker hosts and a scheduler host, each in a
network namespace of its own with its own address, against a PostgreSQL primary, its
streaming replica, a Redis broker and an SMTP server on the machine's side of a bridge
(``tests.hosts``). One worker host falls off the network in the middle of a task.

The applicants sign a batch of commitments through the web host while the timestamp service
does not answer it, so each signature waits in a pending request and the worker hosts do the
work: sign and seal the PDF, append to the register, start the verification, assign a
regulator, notify them in the application and by e-mail through the outbox. While worker 1
holds a transaction open for one of those tasks its cable is pulled (no FIN, no RST: as a
machine that loses its network or its power). Every commitment still completes, on worker 2
and the scheduler's sweeps, and each side effect happens once, counted by the ids the system
itself uses: one signed document, one register entry, one assignment, one notification, one
outbox e-mail (delivered, and any repeat with the same Message-ID) per commitment. The tasks
the cut worker had taken run again on worker 2 once the broker's visibility timeout passes,
and do nothing. The web host reads the public portal from the replica.

Root only (``ip netns``): elsewhere the test says why it skips.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from commitments.lifecycle.models import Commitment, RegistryEvent, SigningRequest
from notifications.models import Notification, OutboxMessage
from tests.hosts import Network, namespaces_unavailable
from tests.notifications.peers import SmtpRecorder
from tests.postgres_servers import (
    INITDB,
    Postgres,
    database_copy,
    primary_create,
    remove,
    replica_create,
)
from tests.processes import ROOT, free_port, start, stop, wait_for, worker_command
from workflows.audit.models import TaskAuditEntry
from workflows.management.commands.demo_load import (
    DEMO_FIELDS,
    FOOD_TEMPLATE,
    FOOD_TEMPLATE_CODE,
    SUBJECT_CODE,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

COMMITMENTS = 16
SIGNERS = 4
SECRET_KEY = "a-test-secret-key-for-these-hosts-only-0123456789abcdef"  # noqa: S105
SWEEP_SECONDS = "2"  # the scheduler's outbox and signing sweeps (a minute in production)
WEB_PORT = 8000
VISIBILITY = 30  # seconds before the broker hands an unacknowledged message to another worker
TASK_ID = r"Task ([\w.]+)\[([0-9a-f-]{36})\] %s"


@dataclass
class Province:
    network: Network
    primary: Postgres
    web: str
    token: str
    smtp: SmtpRecorder
    logs: Path
    replica: Postgres | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def sql(self, statement: str, *parameters) -> list[tuple]:
        with psycopg.connect(self.primary.url("chengnuo"), autocommit=True) as database:
            return database.execute(statement, parameters).fetchall()

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """One API request to the web host, as production's TLS proxy forwards it."""
        request = urllib.request.Request(  # noqa: S310 - the web host's own address
            self.web + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "X-Forwarded-Proto": "https",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, {"error": error.read().decode(errors="replace")[-2000:]}
        except OSError as error:
            return 0, {"error": str(error)}

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _manage(*arguments: str, env: dict[str, str]) -> str:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout


def _skip_reason() -> str:
    if connection.vendor != "postgresql":
        return "the hosts share a PostgreSQL server copied from the test run's database"
    if not INITDB:
        return "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    return namespaces_unavailable()


@pytest.fixture
def province(tmp_path, django_db_setup) -> Iterator[Province]:
    if reason := _skip_reason():
        pytest.skip(reason)
    network = Network()
    primary = replica = broker = smtp = None
    processes: dict[str, subprocess.Popen] = {}
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        network.create()
        hosts = {name: network.host_add(name) for name in ("web", "worker1", "worker2", "beat")}
        gateway = network.gateway
        # the machine's side: PostgreSQL primary and replica, Redis, SMTP, on the bridge
        primary = primary_create(listen=f"127.0.0.1,{gateway}", network=f"{network.prefix}.0/24")
        database_copy(primary, tmp_path)
        redis_port = free_port()
        broker = start(
            [
                *("redis-server", "--port", str(redis_port), "--bind", f"127.0.0.1 {gateway}"),
                *("--save", "", "--appendonly", "no", "--dir", str(tmp_path)),
                *("--protected-mode", "no"),  # the hosts connect from the bridge
            ],
            env={},
            log=logs / "redis.log",
        )
        recorder = SmtpRecorder()
        smtp = Controller(recorder, hostname=gateway, port=free_port())
        smtp.start()
        data = tmp_path / "var"
        (data / "static").mkdir(parents=True)  # WhiteNoise's folder (nothing collected)
        # set up as an operator would, from the machine: CA, demo data, the applicant's token
        setup = {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "CHENGNUO_DATA_DIR": str(data),
            "DATABASE_URL": primary.url("chengnuo"),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        }
        _manage("signing_init", env=setup)
        _manage("demo_load", "--no-logins", env=setup)
        token = _manage("api_token", "create", "applicant", env=setup).strip()
        replica = replica_create(primary)

        # every host: production settings, the services at the bridge's address
        common = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": hosts["web"],
            "DJANGO_SECURE_COOKIES": "false",
            "SITE_URL": "https://chengnuo.example.gov.cn",
            "CHENGNUO_DATA_DIR": str(data),  # the shared file system: CA, signed documents
            "DATABASE_URL": f"postgres://postgres@{gateway}:{primary.port}/chengnuo",
            "CELERY_BROKER_URL": f"redis://{gateway}:{redis_port}/0",
            "EMAIL_HOST": gateway,
            "EMAIL_PORT": str(smtp.port),
            # The cut worker's unacknowledged messages come back after VISIBILITY seconds
            # (an hour in production) so that the test sees them run again, harmlessly.
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(
                {
                    "visibility_timeout": VISIBILITY,
                    "unacked_restore_interval": 1,
                    "unacked_restore_throttle": 1,
                }
            ),
        }
        web_env = {
            **common,
            "DATABASE_REPLICA_URL": f"postgres://postgres@{gateway}:{replica.port}/chengnuo",
            # the timestamp service does not answer the web host: each signature waits
            "SIGNING_TSA_URL": f"http://{gateway}:{free_port()}/tsa/",
            "SIGNING_TSA_TIMEOUT": "2",
        }
        beat_env = {
            **common,
            "REDBEAT_LOCK_TIMEOUT": "10",
            "CELERY_BEAT_MAX_LOOP_INTERVAL": "1",
            "OUTBOX_SWEEP_INTERVAL": SWEEP_SECONDS,
            "SIGNING_RESUME_INTERVAL": SWEEP_SECONDS,
        }
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
        gunicorn += ["--bind", f"{hosts['web']}:{WEB_PORT}", "--workers", "2", "--threads", "4"]
        commands = {
            "web": ([*gunicorn, "config.wsgi"], web_env),
            "worker1": ([*worker_command(), "-n", "worker1@%h"], common),
            "worker2": ([*worker_command(), "-n", "worker2@%h"], common),
            "beat": (
                [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO"]
                + ["--pidfile", str(tmp_path / "beat.pid")],
                beat_env,
            ),
        }
        for name, (command, env) in commands.items():
            processes[name] = start(
                network.run_in(name, command), env=env, log=logs / f"{name}.log"
            )
        site = Province(
            network, primary, f"http://{hosts['web']}:{WEB_PORT}", token, recorder, logs
        )
        site.processes, site.replica = processes, replica
        wait_for(
            lambda: (
                site.call("GET", "/api/v1/templates/")[0] == 200
                or processes["web"].poll() is not None
            ),
            what="the web host answers",
            timeout=120,
        )
        for name in ("worker1", "worker2"):
            wait_for(lambda n=name: " ready." in site.log(n), what=f"{name} ready", timeout=120)
        wait_for(lambda: "Acquired lock" in site.log("beat"), what="the scheduler locks")
        yield site
    finally:
        for name, process in processes.items():
            if name in network.cut_off and process.poll() is None:  # it never comes back
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
            stop(process, timeout=10)
        if smtp is not None:
            smtp.stop()
        if broker is not None:
            stop(broker)
        for server in (replica, primary):
            if server is not None:
                remove(server)
        network.remove()


def _sign_some(site: Province, references: list[str], outcomes: list) -> None:
    for reference in references:
        outcomes.append(
            site.call(
                "POST",
                f"/api/v1/commitments/{reference}/sign/",
                {"password": "applicant-demo"},
            )
        )


def _writing_a_commitment(site: Province, address: str) -> list[tuple]:
    """The transactions a host holds open on the primary with a commitment written and not
    yet committed (a signing under way): (pid, state, last statement)."""
    return site.sql(
        "SELECT DISTINCT a.pid, a.state, a.query FROM pg_stat_activity a "
        "JOIN pg_locks l ON l.pid = a.pid JOIN pg_class c ON c.oid = l.relation "
        "WHERE a.client_addr = %s AND c.relname = %s AND l.mode = 'RowExclusiveLock'",
        address,
        _table(Commitment),
    )


def _tasks(log: str, outcome: str) -> set[tuple[str, str]]:
    """The (task name, task id) pairs a worker's log reports as ``received`` or ``succeeded``."""
    return set(re.findall(TASK_ID % outcome, log))


def _table(model) -> str:
    return model._meta.db_table


def _counts(site: Province, references: list[str]) -> dict[str, dict[str, int]]:
    """Per commitment, how often each side effect happened, by the system's own ids."""
    commitment, event = _table(Commitment), _table(RegistryEvent)
    rows = site.sql(
        f"SELECT c.reference, c.status, c.signed_document_id, "  # noqa: S608 - model tables
        f"(SELECT count(*) FROM {event} e WHERE e.commitment_id = c.id "
        f" AND e.event_type = 'signed'), "
        f"(SELECT count(*) FROM viewflow_task t WHERE t.process_id = c.process_id "
        f" AND t.flow_task LIKE %s), "
        f"(SELECT count(*) FROM viewflow_task t JOIN {_table(TaskAuditEntry)} a "
        f" ON a.task_id = t.id WHERE t.process_id = c.process_id AND a.kind = 'assigned'), "
        f"(SELECT array_agg(t.id || ':' || t.owner_id) FROM viewflow_task t "
        f" WHERE t.process_id = c.process_id AND t.flow_task LIKE %s) "
        f"FROM {commitment} c WHERE c.reference = ANY(%s)",
        "%.verify",
        "%.verify",
        references,
    )
    counts = {}
    for reference, status, document, signed, tasks, assigned, holders in rows:
        keys = [f"workflows:assigned:{holder}" for holder in holders or []]
        notifications = site.sql(
            f"SELECT n.id FROM {_table(Notification)} n WHERE n.key = ANY(%s)",  # noqa: S608
            keys,
        )
        emails = site.sql(
            f"SELECT o.key, o.status FROM {_table(OutboxMessage)} o "  # noqa: S608
            "WHERE o.key = ANY(%s)",
            [f"notification:{pk}:email" for (pk,) in notifications],
        )
        counts[reference] = {
            "status": status,
            "document": int(document is not None),
            "register": signed,
            "verify_tasks": tasks,
            "assigned": assigned,
            "notifications": len(notifications),
            "emails": len(emails),
            "emails_sent": sum(state == OutboxMessage.Status.SENT for _key, state in emails),
            "keys": [key for key, _state in emails],
        }
    return counts


def _done(site: Province, references: list[str]) -> bool:
    counts = _counts(site, references)
    return len(counts) == len(references) and all(
        one["status"] == Commitment.Status.UNDER_VERIFICATION and one["emails_sent"] == 1
        for one in counts.values()
    )


def test_a_worker_host_cut_off_mid_task_loses_nothing_and_repeats_nothing(province):
    site = province
    worker1 = site.network.hosts["worker1"]
    # given a batch of drafts written through the web host
    references = []
    for _n in range(COMMITMENTS):
        status, draft = site.call(
            "POST",
            "/api/v1/commitments/create/",
            {
                "template_code": FOOD_TEMPLATE_CODE,
                "template_version": FOOD_TEMPLATE["version"],
                "subject": SUBJECT_CODE,
                "field_values": DEMO_FIELDS,
            },
        )
        assert status == 201, draft
        references.append(draft["reference"])

    # and a watch that pulls worker 1's cable while it holds a transaction of a task open
    caught: list[tuple] = []
    cut_at: list[float] = []
    stop_watching = threading.Event()

    def watch() -> None:
        while not stop_watching.is_set() and not caught:
            held = _writing_a_commitment(site, worker1)
            if held:
                site.network.cut("worker1")
                caught.extend(held)
                cut_at.append(time.monotonic())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    # when the applicants sign them all at once (the web host's timestamp service is down:
    # each signature waits, and the worker hosts finish it)
    outcomes: list[tuple[int, dict]] = []
    signers = [
        threading.Thread(target=_sign_some, args=(site, references[n::SIGNERS], outcomes))
        for n in range(SIGNERS)
    ]
    for signer in signers:
        signer.start()
    for signer in signers:
        signer.join(timeout=300)
    try:
        wait_for(lambda: caught, what="worker 1 was cut off mid-signing", timeout=120)
    finally:
        stop_watching.set()
    assert [status for status, _body in outcomes] == [200] * COMMITMENTS, outcomes

    # then every commitment completes without worker 1: signed, assigned, its regulator told
    wait_for(lambda: _done(site, references), what="every commitment completed", timeout=240)
    print(  # the figure the deployment guide quotes (no assert on time)
        f"worker 1 cut off in {caught}; everything completed "
        f"{time.monotonic() - cut_at[0]:.1f} s later"
    )
    # and the tasks worker 1 had taken and never finished ran again on worker 2 once the
    # broker's visibility timeout passed (acknowledged late: a lost worker's task is not lost)
    orphans = _tasks(site.log("worker1"), "received") - _tasks(site.log("worker1"), "succeeded")
    assert orphans, site.log("worker1")[-3000:]
    wait_for(
        lambda: orphans <= _tasks(site.log("worker2"), "succeeded"),
        what=f"worker 2 ran worker 1's unfinished tasks {orphans}",
        timeout=VISIBILITY * 4,
    )
    counts = _counts(site, references)
    # and each side effect happened once, by the system's own ids: one signed document, one
    # register entry, one verification task assigned once, one notification, one e-mail
    once = {
        "status": Commitment.Status.UNDER_VERIFICATION,
        "document": 1,
        "register": 1,
        "verify_tasks": 1,
        "assigned": 1,
        "notifications": 1,
        "emails": 1,
        "emails_sent": 1,
    }
    for reference, one in counts.items():
        assert {name: one[name] for name in once} == once, (reference, one)
    # and every e-mail reached the SMTP server; a repeat (a worker dying after the server
    # took it) would carry the same key and Message-ID, which the receiver drops
    keys = [key for one in counts.values() for key in one["keys"]]
    received = site.smtp.count_by_key()
    assert all(received[key] >= 1 for key in keys), received
    # and every signature was finished by a worker host (a signing request each, completed),
    # none is left waiting, no message undelivered
    completed = site.sql(
        f"SELECT count(*) FROM {_table(SigningRequest)} s "  # noqa: S608
        f"JOIN {_table(Commitment)} c ON c.id = s.commitment_id "
        "WHERE c.reference = ANY(%s) AND s.status = 'completed'",
        references,
    )
    assert completed == [(COMMITMENTS,)]
    assert not site.sql(
        f"SELECT id FROM {_table(SigningRequest)} WHERE status = 'pending'"  # noqa: S608
    )
    assert not site.sql(
        f"SELECT key FROM {_table(OutboxMessage)} WHERE status <> 'sent'"  # noqa: S608
    )
    # and worker 1 was cut off in the middle of a task, which worker 2 finished: worker 1's
    # transaction is gone from the primary, and worker 2 ran tasks
    assert not _writing_a_commitment(site, worker1), caught
    assert "succeeded" in site.log("worker2")
    # and the web host reads the public portal from the replica, across the bridge
    portal = urllib.request.Request(  # noqa: S310 - the web host's own address
        f"{site.web}/portal/", headers={"X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(portal, timeout=60) as response:  # noqa: S310
        assert response.status == 200
    web = site.network.hosts["web"]
    readers = site.replica.sql(
        f"SELECT count(*) FROM pg_stat_activity WHERE client_addr = '{web}'",  # noqa: S608
        database="chengnuo",
    )
    assert readers[0] >= 1
