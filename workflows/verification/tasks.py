"""Background work of the verification: finish waiting signatures, warn before a verification
falls due, hand over the work of absent regulators.

Each task takes ids, calls one service and does nothing if the work was already done.
"""

from celery import shared_task

from commitments.lifecycle.services.signing_requests import signing_request_fail
from workflows.verification.services.delegation import delegations_apply_due
from workflows.verification.services.signing import (
    SigningStillPending,
    commitment_signing_complete,
)
from workflows.verification.services.sla import verification_reminders_send
from workflows.verification.services.upkeep import index_prune

SIGNING_MAX_RETRIES = 10


@shared_task(
    bind=True,
    name="workflows.verification.tasks.commitment_signing_complete_task",
    max_retries=SIGNING_MAX_RETRIES,
)
def commitment_signing_complete_task(self, request_id: int) -> str:
    """Finish a signing that waited for the timestamp service, then start the verification.

    Idempotent: a request already completed (or a commitment already signed) does nothing.
    Retries with exponential back-off (30 s, 1 min, 2 min ... capped at one hour) while the
    service is down; after the last retry the request is marked failed and the applicant
    can sign again.
    """
    try:
        return commitment_signing_complete(request_id=request_id)
    except SigningStillPending as error:
        if self.request.retries >= SIGNING_MAX_RETRIES:
            signing_request_fail(request_id=request_id, error=str(error))
            return "failed"
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600), exc=error) from None


@shared_task(name="workflows.verification.tasks.verification_reminders_send_task")
def verification_reminders_send_task() -> int:
    """Warn regulators of verifications falling due soon (each task once)."""
    return verification_reminders_send()


@shared_task(name="workflows.verification.tasks.delegations_apply_task")
def delegations_apply_task() -> int:
    """Hand over the open tasks of absences that have begun; drop index rows of closed tasks."""
    applied = delegations_apply_due()
    index_prune()
    return applied
