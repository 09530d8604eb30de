"""The record's background jobs: a worker finds them through Celery's autodiscovery (no
``CELERY_IMPORTS``), beat names each of them, and each is safe to run again."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings

from config.settings.base import BASE_DIR
from credit.record.services.breaches import breach_record
from credit.record.tasks import (
    breach_publication_end_due_task,
    list_entries_enter_due_task,
    list_entries_exit_due_task,
)

TASKS = [breach_publication_end_due_task, list_entries_enter_due_task, list_entries_exit_due_task]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_a_worker_finds_the_record_tasks_and_beat_names_them():
    # when: a fresh process loads the Celery app's modules as a worker does
    listed = subprocess.run(  # noqa: S603 - our own interpreter with a fixed program
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from config import celery_app;"
            " celery_app.loader.import_default_modules(); print(*sorted(celery_app.tasks))",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()

    # then: every record task is registered, none through CELERY_IMPORTS, and beat runs each
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in TASKS:
        assert task.name.startswith("credit.record.tasks.")
        assert task.name in listed
        assert task.name in scheduled
    assert not [name for name in settings.CELERY_IMPORTS if name.startswith("credit")]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name.rpartition(".")[2])
def test_each_task_does_nothing_when_nothing_is_due(db, task):
    assert task.apply().get() == 0


def test_a_record_leaves_publication_once_however_often_the_task_runs(world):
    breach = breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="general",
        reason="逾期",
        by=world.regulator,
    ).breach
    last = dt.datetime.combine(breach.publicity_max_until, dt.time(10), tzinfo=SHANGHAI)

    with time_machine.travel(last, tick=False):
        runs = [breach_publication_end_due_task.apply().get() for _n in range(2)]

    breach.refresh_from_db()
    assert (runs, breach.status) == ([1, 0], breach.Status.PUBLICATION_ENDED)
