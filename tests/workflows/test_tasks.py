"""Background work of every flow: the beat entry and the timer sweep."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings

from tests.workflows.conftest import task_of
from workflows.tasks import workflow_timers_fire_task
from workflows.verification.flows import InformCommitFlow


def test_the_beat_entry_names_the_timer_task():
    entry = settings.CELERY_BEAT_SCHEDULE["fire-workflow-timers"]

    assert entry["task"] == workflow_timers_fire_task.name
    assert workflow_timers_fire_task.name == "workflows.tasks.workflow_timers_fire_task"


def test_the_timer_task_escalates_overdue_verifications_once(world, submitted_commitment):
    with time_machine.travel(
        submitted_commitment.verification_due_at + datetime.timedelta(minutes=1)
    ):
        fired = [workflow_timers_fire_task(), workflow_timers_fire_task()]

    assert fired == [1, 0]
    assert task_of(submitted_commitment, InformCommitFlow.escalate).owner == world.supervisor
