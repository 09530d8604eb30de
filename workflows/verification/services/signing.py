"""Sign a commitment and start its verification, or keep it waiting for the timestamp service;
finish a waiting signature later.

``commitment_sign_and_start`` signs (the platform's signature, or an upload signed elsewhere)
and starts ``InformCommitFlow``, both or neither. When the timestamp service does not answer,
the draft stays and a pending ``SigningRequest`` keeps it; ``commitment_submit``
(``workflows.verification.services.submission``) then enqueues
``commitment_signing_complete_task``, which calls ``commitment_signing_complete`` until the
signing succeeds (the verification flow then starts as usual) or retries run out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
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
from workflows.verification.flows import InformCommitFlow
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
    try:
        InformCommitFlow.run_start(commitment=outcome.commitment, by=by)
    except FlowLockFailed:
        raise concurrent_change() from None
    return SigningOutcome(Commitment.objects.get(pk=commitment.pk))


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
