"""The sweep task: the beat runs it by its name, a worker knows it, and it sweeps, starts
delivery when there is something to deliver and reports what it did."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings

from commitments.obligations.tasks import obligation_warnings_sweep_task
from config import celery_app
from notifications.models import OutboxMessage
from notifications.services.delivery import outbox_deliver_due
from notifications.tasks import outbox_deliver_task
from tests.commitments.obligations.conftest import at

# The obligations' warnings, not the e-mails that notifications of the submission wrote.
WARNINGS = OutboxMessage.objects.filter(key__startswith="warning:")


def test_the_beat_runs_the_sweep_task():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-obligation-warnings"]

    assert (
        entry["task"]
        == obligation_warnings_sweep_task.name
        == ("commitments.obligations.tasks.obligation_warnings_sweep_task")
    )


def test_a_worker_imports_the_sweep_task():
    # autodiscovery finds only <app>.tasks: the package's module is named for the worker
    assert "commitments.obligations.tasks" in celery_app.loader.default_modules


def test_the_task_sweeps_then_starts_delivery_and_reports_the_counts(obligation, monkeypatch):
    started = []
    monkeypatch.setattr(outbox_deliver_task, "apply_async", lambda **kick: started.append(True))

    with time_machine.travel(at(datetime.date(2026, 3, 19), 9, 1), tick=False):
        counts = obligation_warnings_sweep_task()

    assert counts == {
        "warned": 1,
        "breached": 0,
        "skipped": 0,
        "held": 0,
        "refused": 0,
        "messages": 2,
    }
    assert started == [True]
    assert WARNINGS.count() == 2


def test_the_task_with_nothing_due_starts_no_delivery(obligation, monkeypatch):
    assert outbox_deliver_due().sent >= 1  # the submission's own e-mails, out of the way
    started = []
    monkeypatch.setattr(outbox_deliver_task, "apply_async", lambda **kick: started.append(True))

    with time_machine.travel(at(datetime.date(2026, 3, 19), 8, 59), tick=False):
        counts = obligation_warnings_sweep_task()

    assert counts == dict.fromkeys(
        ("warned", "breached", "skipped", "held", "refused", "messages"), 0
    )
    assert started == []
