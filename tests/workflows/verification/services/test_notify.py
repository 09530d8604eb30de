"""Messages to regulators: the assignment e-mail, delivered once by a real worker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from config import celery_app
from notifications.models import Notification, OutboxMessage
from notifications.tasks import outbox_deliver_task
from tests.workflows.conftest import submit_commitment


def _wait_for(condition, *, timeout: float = 30.0) -> None:
    """Poll a condition until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


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
            # when a commitment is submitted (its e-mail is kicked after the commit)
            commitment = submit_commitment(world)

            # then the worker delivers the assignment e-mail to the regulator
            def to_regulator():
                return [m for m in mail.outbox if m.to == [world.regulator.email]]

            notification = Notification.objects.get(
                key__startswith="workflows:assigned:", recipient=world.regulator
            )
            email = OutboxMessage.objects.filter(key=f"notification:{notification.pk}:email")
            # the worker sends, then commits "sent": wait for both, not just the mail
            _wait_for(lambda: len(to_regulator()) == 1 and email.filter(status="sent").exists())
            assert commitment.reference in to_regulator()[0].subject
            assert to_regulator()[0].extra_headers["Message-ID"] == email.get().message_id

            # and running the delivery again sends nothing more
            again = outbox_deliver_task.delay()
            _wait_for(lambda: any(task_id == again.id for task_id, _ in finished))
            assert dict(finished)[again.id] == {"sent": 0, "failed": 0, "dead": 0}
            assert len(to_regulator()) == 1
    finally:
        task_postrun.disconnect(record)
