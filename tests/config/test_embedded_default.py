"""The embedded default (ADR 0003) takes concurrent work: eight applicants sign at once on
SQLite while a real worker with embedded beat runs its sweeps, and none gets an error.

Set up as ``make run`` does (``config.settings.local``, a SQLite file, the file-system broker,
``migrate``, ``signing_init``, ``demo_load``), in a folder of the test's own, with a real
``manage.py runserver`` and a real ``celery worker -B`` whose beat fires its every-minute
entries every second. Before WAL, immediate transactions and a busy timeout, one signing in
six answered 500 (``database is locked``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import ROOT, free_port, start, stop, wait_for, worker_command
from workflows.management.commands.demo_load import (
    DEMO_FIELDS,
    FOOD_TEMPLATE,
    FOOD_TEMPLATE_CODE,
    SUBJECT_CODE,
)

pytestmark = pytest.mark.integration

SIGNERS = 8
SIGNINGS_EACH = 2
SWEEP = "commitments.obligations.tasks.obligation_warnings_sweep_task"


@dataclass
class Embedded:
    url: str
    token: str
    database: Path
    worker_log: Path


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


def _call(method: str, url: str, *, token: str, body: dict | None = None) -> tuple[int, dict]:
    """One HTTP request with the API token; the status and the JSON answer (or the text)."""
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=180) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        title = re.search(r"<title>(.*?)</title>", text, re.S)  # the debug page names the error
        return error.code, {"error": " ".join((title.group(1) if title else text[:500]).split())}


@pytest.fixture
def embedded(tmp_path) -> Iterator[Embedded]:
    """``make run`` in ``tmp_path``: migrated, CA, demo data, worker with beat, runserver."""
    data = tmp_path / "var"
    for folder in ("log", "broker/queue", "broker/processed"):
        (data / folder).mkdir(parents=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "CHENGNUO_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "OBLIGATION_SWEEP_INTERVAL": "1",
        "WORKFLOW_TIMER_INTERVAL": "1",
        "SITE_URL": "http://127.0.0.1",
    }
    _manage("migrate", "--noinput", env=env)
    _manage("signing_init", env=env)
    _manage("demo_load", "--no-logins", env=env)
    token = _manage("api_token", "create", "applicant", env=env).strip()
    worker_log = data / "log" / "celery.log"
    worker = start(worker_command(beat=True), env=env, log=worker_log)
    port = free_port()
    server = start(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        log=data / "log" / "server.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: _answers(f"{url}/api/v1/templates/", token=token),
            what="runserver answers",
        )
        wait_for(lambda: _sweeps(worker_log) > 0, what="beat's first sweep ran", timeout=120)
        yield Embedded(url, token, data / "db.sqlite3", worker_log)
    finally:
        stop(server)
        stop(worker)


def _answers(url: str, *, token: str) -> bool:
    try:
        return _call("GET", url, token=token)[0] == 200
    except OSError:
        return False


def _sweeps(log: Path) -> int:
    """How many sweeps the worker finished, as its log says."""
    return len(re.findall(rf"Task {re.escape(SWEEP)}\[[^\]]+\] succeeded", log.read_text()))


def _sign_some(embedded: Embedded, start_together: threading.Barrier, outcomes: list) -> None:
    """One applicant's client: create and sign ``SIGNINGS_EACH`` commitments."""
    start_together.wait()
    for _n in range(SIGNINGS_EACH):
        status, draft = _call(
            "POST",
            f"{embedded.url}/api/v1/commitments/create/",
            token=embedded.token,
            body={
                "template_code": FOOD_TEMPLATE_CODE,
                "template_version": FOOD_TEMPLATE["version"],
                "subject": SUBJECT_CODE,
                "field_values": DEMO_FIELDS,
            },
        )
        outcomes.append(("create", status, draft))
        if status != 201:
            continue
        reference = draft["reference"]
        status, signed = _call(  # a token signs with the person's password (access.api)
            "POST",
            f"{embedded.url}/api/v1/commitments/{reference}/sign/",
            token=embedded.token,
            body={"password": "applicant-demo"},
        )
        outcomes.append(("sign", status, signed))


def test_eight_applicants_sign_at_once_while_the_worker_and_beat_run(embedded):
    # given the embedded default running, its beat sweeping every second
    sweeps_before = _sweeps(embedded.worker_log)
    outcomes: list[tuple[str, int, dict]] = []
    start_together = threading.Barrier(SIGNERS)
    signers = [
        threading.Thread(target=_sign_some, args=(embedded, start_together, outcomes))
        for _n in range(SIGNERS)
    ]

    # when eight applicants create and sign commitments at the same moment
    for signer in signers:
        signer.start()
    for signer in signers:
        signer.join(timeout=900)

    # then no request failed, and every commitment is signed and under verification
    failures = [(step, status, body) for step, status, body in outcomes if status >= 300]
    assert failures == []
    signed = [body["reference"] for step, _status, body in outcomes if step == "sign"]
    assert len(signed) == SIGNERS * SIGNINGS_EACH
    with sqlite3.connect(embedded.database) as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    answers = [
        _call("GET", f"{embedded.url}/api/v1/commitments/{reference}/", token=embedded.token)
        for reference in signed
    ]
    assert [(status, body.get("status")) for status, body in answers] == [
        (200, "under_verification")
    ] * len(signed)
    # and beat's sweep ran meanwhile, and no task failed on the worker
    assert _sweeps(embedded.worker_log) > sweeps_before
    log = embedded.worker_log.read_text()
    assert "raised unexpected" not in log, log[-4000:]
    assert "database is locked" not in log, log[-4000:]
