"""Background work: the timer sweep, e-mail delivery by a real worker, concurrent claims."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import translation
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError, ErrorCode
from config import celery_app
from notifications.models import Notification
from notifications.tasks import notification_email_task
from tests.workflows.conftest import submit_commitment, task_of
from workflows.flows import InformCommitFlow
from workflows.services import verification_task_claim, verification_task_release
from workflows.tasks import workflow_timers_fire_task


def _wait_for(condition, *, timeout: float = 30.0) -> None:
    """Poll a condition until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


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


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_assignment_email_once(world):
    # given a real worker on the Redis broker, with nothing left over in the queue
    celery_app.control.purge()
    finished: list[tuple[str, object]] = []

    def record(sender=None, task_id=None, retval=None, **kwargs):
        finished.append((task_id, retval))

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            # when a commitment is submitted (the e-mail is sent after the commit)
            commitment = submit_commitment(world)

            # then the worker delivers the assignment e-mail to the regulator
            def to_regulator():
                return [m for m in mail.outbox if m.to == [world.regulator.email]]

            assigned = Notification.objects.filter(
                key__startswith="workflows:assigned:", recipient=world.regulator
            )
            # the worker sends, then commits emailed_at: wait for both, not just the mail
            _wait_for(
                lambda: (
                    len(to_regulator()) == 1 and assigned.filter(emailed_at__isnull=False).exists()
                )
            )
            assert commitment.reference in to_regulator()[0].subject
            notification = assigned.get()

            # and running the delivery again sends nothing more
            again = notification_email_task.delay(notification.pk)
            _wait_for(lambda: any(task_id == again.id for task_id, _ in finished))
            assert dict(finished)[again.id] is False
            assert len(to_regulator()) == 1
    finally:
        task_postrun.disconnect(record)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_regulators_claiming_at_once_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite ignores SELECT ... FOR UPDATE; this needs PostgreSQL")
    # given a task in the department queue
    commitment = submit_commitment(world)
    task = verification_task_release(task=task_of(commitment), by=world.regulator)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(user):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                verification_task_claim(task=task_of(commitment), by=user)
            outcomes[user.username] = "claimed"
        except CommitmentError as error:
            outcomes[user.username] = error
        finally:
            connection.close()

    # when both regulators claim it at the same moment
    threads = [
        threading.Thread(target=claim, args=(user,))
        for user in (world.regulator, world.other_regulator)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly one has it and the other was told clearly
    winners = [name for name, outcome in outcomes.items() if outcome == "claimed"]
    losers = [outcome for outcome in outcomes.values() if outcome != "claimed"]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code in (ErrorCode.INVALID_STATE, ErrorCode.CONCURRENT_CHANGE)
    assert losers[0].message in (
        f"This task has already been claimed by {winners[0]}.",
        "This commitment is being processed by someone else. Please try again in a moment.",
    )
    task.refresh_from_db()
    assert (task.status, task.owner.username) == (STATUS.ASSIGNED, winners[0])
