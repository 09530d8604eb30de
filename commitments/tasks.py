"""Background work of the commitment domain: the deadline sweep (one beat entry)."""

from celery import shared_task

from commitments.services.obligations import obligation_warnings_sweep
from notifications.selectors import outbox_has_due
from notifications.tasks import outbox_deliver_task


@shared_task(name="commitments.tasks.obligation_warnings_sweep_task")
def obligation_warnings_sweep_task() -> dict:
    """Settle the due warning steps and breaches, then start delivery of what is due.

    Idempotent: a settled step is no longer due, and outbox keys are unique. Starting the
    delivery on every beat also resumes retries and anything a killed worker left behind.
    """
    result = obligation_warnings_sweep()
    if result.messages or outbox_has_due():
        outbox_deliver_task.delay()
    return {
        "warned": result.warned,
        "breached": result.breached,
        "skipped": result.skipped,
        "held": result.held,
        "refused": result.refused,
        "messages": len(result.messages),
    }
