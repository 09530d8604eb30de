"""Background work of obligations: the warning sweep (one beat entry).

Not an app's ``tasks`` module, so ``CELERY_IMPORTS`` names it for the worker."""

from celery import shared_task

from commitments.obligations.services.sweep import obligation_warnings_sweep
from notifications.selectors import outbox_has_due
from notifications.tasks import outbox_deliver_task, task_kick


@shared_task(name="commitments.obligations.tasks.obligation_warnings_sweep_task")
def obligation_warnings_sweep_task() -> dict:
    """Settle the due warning steps and breaches, then start delivery of what is due.

    Idempotent: a settled step is no longer due, and outbox keys are unique. The delivery is
    kicked at once (best effort); the outbox's own beat entry delivers in any case.
    """
    result = obligation_warnings_sweep()
    if result.messages or outbox_has_due():
        task_kick(outbox_deliver_task)
    return {
        "warned": result.warned,
        "breached": result.breached,
        "skipped": result.skipped,
        "held": result.held,
        "refused": result.refused,
        "messages": result.messages,
    }
