"""Sign a commitment and start its verification, or keep it waiting for the timestamp service;
finish a waiting signature later.

``commitment_sign_and_start`` signs (the platform's signature, or an upload signed elsewhere)
and starts ``InformCommitFlow``, both or neither. When the timestamp service does not answer,
the draft stays and a pending ``SigningRequest`` keeps it. The pending row is the follow-up
task: ``commitment_submit`` (``workflows.verification.services.submission``) kicks
``commitment_signing_complete_task`` after the commit when the broker answers, and the
beat-scheduled ``signing_requests_resume_task`` tries every pending request again once its
back-off has passed (``signing_requests_resume_due``), until the signing succeeds (the
verification flow then starts as usual) or ``SIGNING_MAX_ATTEMPTS`` run out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed

from commitments.lifecycle.models import Commitment, SigningRequest
from commitments.lifecycle.services.commitments import commitment_sign
from commitments.lifecycle.services.signatures import SigningPending
from commitments.lifecycle.services.signing_requests import (
    signing_request_close,
    signing_request_fail,
    signing_request_record,
)
from directory.errors import DomainError
from signing.storage import document_read
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.flows import InformCommitFlow, commitment_in_memory
from workflows.verification.services.work import concurrent_change


class SigningStillPending(Exception):
    """The timestamp service still does not answer; the task retries."""


@dataclass(frozen=True)
class SigningOutcome:
    """What became of a signature: signed and under verification, or waiting.

    ``waiting`` is the pending request that keeps a draft while the timestamp service is
    down; ``is_new_wait`` says that it is new (or reopened), so its completion must be
    enqueued.
    """

    commitment: Commitment
    waiting: SigningRequest | None = None
    is_new_wait: bool = False


def _signed_in_its_own_process(commitment: Commitment) -> WorkflowError:
    if commitment.template.kind == commitment.template.Kind.BIDDING_PLEDGE:
        message = _("A bidding pledge is signed on its pledge page, where the tender is checked.")
    else:
        message = _("A credit repair commitment is signed with the repair application.")
    return WorkflowError(WorkflowErrorCode.INVALID_STATE, message, field="template")


@transaction.atomic(savepoint=False)  # inside commitment_submit: one transaction, no savepoint
def commitment_sign_and_start(
    *, commitment: Commitment, by: AbstractBaseUser, uploaded_pdf: bytes | None = None
) -> SigningOutcome:
    """Sign the commitment and start its verification, both or neither; or keep it waiting.

    With ``uploaded_pdf`` the applicant signed elsewhere (checked, then sealed). When the
    timestamp service does not answer, a pending ``SigningRequest`` keeps the draft.
    """
    if commitment.template.has_own_process:
        raise _signed_in_its_own_process(commitment)
    try:
        outcome = commitment_sign(commitment=commitment, by=by, uploaded_pdf=uploaded_pdf)
    except SigningPending as pending:
        request, is_new = signing_request_record(commitment=commitment, by=by, pending=pending)
        return SigningOutcome(Commitment.objects.get(pk=commitment.pk), request, is_new)
    if not outcome.commitment.template.rules.is_verified:  # e.g. a voluntary public commitment
        return SigningOutcome(Commitment.objects.get(pk=commitment.pk))
    try:
        # commitment_sign read the commitment under its lock and saved it just now.
        process = InformCommitFlow.run_start(commitment=outcome.commitment, by=by, is_locked=True)
    except FlowLockFailed:
        raise concurrent_change() from None
    # The start left the commitment it opened in memory: no need to read it back.
    opened = commitment_in_memory(process)
    return SigningOutcome(opened or Commitment.objects.get(pk=commitment.pk))


def commitment_signing_complete(*, request_id: int) -> str:
    """Try the pending signature again; return "done" or "failed", or raise
    ``SigningStillPending``.

    The running task is the retry: a signature still waiting is only counted on its
    request, never enqueued again.
    """
    request = (
        SigningRequest.objects.select_related("commitment", "requested_by", "uploaded_document")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status != SigningRequest.Status.PENDING:
        return "done"
    if request.commitment.status != Commitment.Status.DRAFT:
        with transaction.atomic():
            signing_request_close(commitment=request.commitment, by=request.requested_by)
        return "done"
    uploaded = document_read(request.uploaded_document) if request.uploaded_document_id else None
    try:
        outcome = commitment_sign_and_start(
            commitment=request.commitment, by=request.requested_by, uploaded_pdf=uploaded
        )
    except DomainError as error:  # e.g. the template closed meanwhile: tell, stop
        signing_request_fail(request_id=request_id, error=str(error.message))
        return "failed"
    if outcome.commitment.status == Commitment.Status.DRAFT:
        raise SigningStillPending(
            SigningRequest.objects.get(pk=request_id).last_error or "timestamp service down"
        )
    return "done"


def signing_request_attempt(*, request_id: int) -> str:
    """Try a pending signature once more; "done", "failed" (attempts ran out) or "pending"."""
    try:
        return commitment_signing_complete(request_id=request_id)
    except SigningStillPending as error:
        attempts = SigningRequest.objects.filter(pk=request_id).values_list("attempts", flat=True)
        if (attempts.first() or 0) >= settings.SIGNING_MAX_ATTEMPTS:
            signing_request_fail(request_id=request_id, error=str(error))
            return "failed"
        return "pending"


def signing_request_retry_delay(attempts: int) -> timedelta:
    """Back-off between attempts: 30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 3600))


def signing_requests_resume_due(*, now: datetime | None = None) -> dict[str, int]:
    """Try again every pending signature whose back-off has passed; count the outcomes.

    Each request is claimed first by moving its ``updated_at`` from the value read to now
    (a compare-and-set, so on PostgreSQL and SQLite alike two sweeps never take the same
    request); the claim also starts the next back-off, so a sweep that dies mid-way leaves
    the request to a later one.
    """
    now = now or timezone.now()
    outcomes = {"done": 0, "failed": 0, "pending": 0}
    pending = SigningRequest.objects.filter(status=SigningRequest.Status.PENDING)
    for pk, attempts, updated_at in pending.values_list("pk", "attempts", "updated_at"):
        if updated_at + signing_request_retry_delay(attempts) > now:
            continue
        claimed = pending.filter(pk=pk, updated_at=updated_at).update(updated_at=now)
        if claimed:
            outcomes[signing_request_attempt(request_id=pk)] += 1
    return outcomes
