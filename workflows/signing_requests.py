"""Signatures finished in the background: record the request, enqueue, complete it.

``commitment_submit`` hands a commitment here when the timestamp service did not answer;
``commitment_signing_complete_task`` (``workflows.tasks``) calls ``commitment_signing_complete``
until the signing succeeds (the verification flow then starts as usual) or retries run out.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from commitments.errors import CommitmentError
from commitments.lifecycle.models import Commitment, SigningRequest
from commitments.lifecycle.services.signatures import SigningPending
from commitments.lifecycle.services.signing_requests import (
    signing_request_fail,
    signing_request_record,
)
from signing.storage import document_read


class SigningStillPending(Exception):
    """The timestamp service still does not answer; the task retries."""


def signing_request_enqueue(
    *, commitment: Commitment, by: AbstractBaseUser, pending: SigningPending
) -> SigningRequest:
    """Keep the pending signature and enqueue its completion once the transaction commits."""
    from workflows.tasks import commitment_signing_complete_task

    request, enqueue = signing_request_record(commitment=commitment, by=by, pending=pending)
    if enqueue:
        request_id = request.pk
        transaction.on_commit(lambda: commitment_signing_complete_task.delay(request_id))
    return request


def commitment_signing_complete(*, request_id: int) -> str:
    """Try the pending signature again; return "done" or raise ``SigningStillPending``."""
    from workflows.services import commitment_submit

    request = (
        SigningRequest.objects.select_related("commitment", "requested_by", "uploaded_document")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status != SigningRequest.Status.PENDING:
        return "done"
    if request.commitment.status != Commitment.Status.DRAFT:
        with transaction.atomic():
            from commitments.lifecycle.services.signing_requests import signing_request_close

            signing_request_close(commitment=request.commitment, by=request.requested_by)
        return "done"
    uploaded = document_read(request.uploaded_document) if request.uploaded_document_id else None
    try:
        commitment = commitment_submit(
            commitment=request.commitment, by=request.requested_by, uploaded_pdf=uploaded
        )
    except CommitmentError as error:  # e.g. the template closed meanwhile: tell, stop
        signing_request_fail(request_id=request_id, error=str(error.message))
        return "failed"
    if commitment.status == Commitment.Status.DRAFT:
        raise SigningStillPending(
            SigningRequest.objects.get(pk=request_id).last_error or "timestamp service down"
        )
    return "done"
