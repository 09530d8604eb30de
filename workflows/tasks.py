"""Background work of the flows: fire the due workflow timers (verification windows).

Safe to run as often as beat likes: a fired timer is no longer due, and viewflow re-checks
each timer under its process lock, so two overlapping runs fire it once.
"""

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers


@shared_task(name="workflows.tasks.workflow_timers_fire_task")
def workflow_timers_fire_task() -> int:
    """Fire every due timer; the escalation path re-checks the commitment's status itself."""
    return fire_due_timers()


SIGNING_MAX_RETRIES = 10


@shared_task(
    bind=True,
    name="workflows.tasks.commitment_signing_complete_task",
    max_retries=SIGNING_MAX_RETRIES,
)
def commitment_signing_complete_task(self, request_id: int) -> str:
    """Finish a signing that waited for the timestamp service, then start the verification.

    Idempotent: a request already completed (or a commitment already signed) does nothing.
    Retries with exponential back-off (30 s, 1 min, 2 min ... capped at one hour) while the
    service is down; after the last retry the request is marked failed and the applicant
    can sign again.
    """
    from workflows.signing_requests import SigningStillPending, commitment_signing_complete

    try:
        return commitment_signing_complete(request_id=request_id)
    except SigningStillPending as error:
        if self.request.retries >= SIGNING_MAX_RETRIES:
            from commitments.lifecycle.services.signing_requests import signing_request_fail

            signing_request_fail(request_id=request_id, error=str(error))
            return "failed"
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600), exc=error) from None


@shared_task(name="workflows.tasks.verification_reminders_send_task")
def verification_reminders_send_task() -> int:
    """Warn regulators of verifications falling due soon (each task once)."""
    from workflows.sla import verification_reminders_send

    return verification_reminders_send()


@shared_task(name="workflows.tasks.delegations_apply_task")
def delegations_apply_task() -> int:
    """Hand over the open tasks of absences that have begun; drop index rows of closed tasks."""
    from workflows.queue import index_prune
    from workflows.queue_services import delegations_apply_due

    applied = delegations_apply_due()
    index_prune()
    return applied
