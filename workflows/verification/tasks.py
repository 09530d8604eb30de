"""Background work of the verification: finish waiting signatures, warn before a verification
falls due, hand over the work of absent regulators.

Each task takes ids, calls one service and does nothing if the work was already done.
"""

from celery import shared_task

from workflows.verification.services.delegation import delegations_apply_due
from workflows.verification.services.signing import (
    signing_request_attempt,
    signing_requests_resume_due,
)
from workflows.verification.services.sla import verification_reminders_send
from workflows.verification.services.upkeep import index_prune


@shared_task(name="workflows.verification.tasks.commitment_signing_complete_task")
def commitment_signing_complete_task(request_id: int) -> str:
    """Finish a signing that waited for the timestamp service, then start the verification.

    Kicked once after the submitting transaction commits. Idempotent: a request already
    completed (or a commitment already signed) does nothing. A signature still waiting is
    not retried here: the pending request is the durable record, and
    ``signing_requests_resume_task`` tries it again after its back-off.
    """
    return signing_request_attempt(request_id=request_id)


@shared_task(name="workflows.verification.tasks.signing_requests_resume_task")
def signing_requests_resume_task() -> dict[str, int]:
    """Try again every pending signature whose back-off has passed (one beat entry).

    Also finishes the signatures whose first kick the broker missed.
    """
    return signing_requests_resume_due()


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
