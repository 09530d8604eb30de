"""Background delivery, and the best-effort kick that starts it after a commit.

The outbox rows are the truth, not the broker's messages: a request writes its side effects
as rows in its own transaction, then ``task_kick_on_commit`` asks the broker to start the work
at once. When the broker is down the kick is logged and dropped, and the beat-scheduled
delivery (``outbox_deliver_task``, one beat entry) finds the rows anyway.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from notifications.services.delivery import outbox_deliver_due

logger = logging.getLogger(__name__)


def task_kick(task: Task, /, **kwargs) -> bool:
    """Hand ``task`` to the broker now if it answers; say whether it did.

    Never raises for a broker that is down or unreachable: the caller's work is a durable row
    that a beat-scheduled sweep also finds, so a failed kick costs a delay, not the work.
    """
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except (BrokerUnavailable, OSError) as error:
        logger.warning("broker unavailable, %s left to its sweep: %s", task.name, error)
        return False
    return True


def task_kick_on_commit(task: Task, /, **kwargs) -> None:
    """Kick ``task`` (``task_kick``) once the current transaction commits; never fail it."""
    transaction.on_commit(lambda: task_kick(task, **kwargs))


@shared_task(bind=True, name="notifications.tasks.outbox_deliver_task")
def outbox_deliver_task(self, limit: int = 200) -> dict:
    """Deliver due outbox messages, and continue while more are due.

    A lost or repeated task message only delays or repeats a claim, never a delivery: the beat
    runs this task every minute (``OUTBOX_SWEEP_INTERVAL``), so messages whose kick the broker
    missed, retries whose back-off has passed and anything a killed worker left behind are
    delivered on the next beat.
    """
    run = outbox_deliver_due(limit=limit)
    if run.more_due:
        task_kick(self, limit=limit)
    return {"sent": run.sent, "failed": run.failed, "dead": run.dead}
