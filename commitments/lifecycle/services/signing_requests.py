"""Signing requests: a commitment whose signature must be finished in the background (the
timestamp service did not answer, or an upload waits for the platform seal)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from commitments.lifecycle.models import Commitment, SigningRequest
from commitments.lifecycle.services.signatures import SigningPending
from directory.audit import audited_save, system_user
from directory.compiled import CompiledQuery
from signing.storage import document_store


def signing_request_record(
    *, commitment: Commitment, by: AbstractBaseUser, pending: SigningPending
) -> tuple[SigningRequest, bool]:
    """Keep a commitment whose signing must be finished later; say whether to enqueue.

    A request already pending only counts the attempt (its task is already retrying).
    """
    uploaded = None
    if pending.uploaded_pdf is not None:
        uploaded = document_store(data=pending.uploaded_pdf)
    request = SigningRequest.objects.select_for_update().filter(commitment=commitment).first()
    enqueue = False
    if request is None:
        request = SigningRequest(
            commitment=commitment,
            requested_by=by,
            kind=SigningRequest.Kind.UPLOADED if uploaded else SigningRequest.Kind.PLATFORM,
        )
        enqueue = True
    elif request.status != SigningRequest.Status.PENDING:
        request.reopen()
        request.requested_by = by
        enqueue = True
    request.uploaded_document = uploaded or request.uploaded_document
    request.attempts += 1
    request.last_error = str(pending.message)
    audited_save(request, by=by, reason="signing waits for the timestamp service")
    return request, enqueue


def _pending_request(commitment_id: int) -> QuerySet[SigningRequest]:
    return (
        SigningRequest.objects.select_for_update()
        .filter(commitment_id=commitment_id, status=SigningRequest.Status.PENDING)
        .order_by("pk")[:1]
    )


# Asked on every signing (almost always: none): compiled once (directory.compiled).
_PENDING_REQUEST = CompiledQuery(_pending_request, -1_730_100_401)


def signing_request_close(*, commitment: Commitment, by: AbstractBaseUser) -> None:
    """Mark the commitment's pending signing request completed (it has just been signed)."""
    pending = _PENDING_REQUEST.models(commitment.pk)
    request = pending[0] if pending else None
    if request is not None:
        request.complete()
        audited_save(request, by=by, reason="signed")


def signing_request_fail(*, request_id: int, error: str) -> None:
    """Give up on a request after the last retry; the applicant can sign again."""
    with transaction.atomic():
        request = SigningRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is not None and request.status == SigningRequest.Status.PENDING:
            request.fail(error=error)
            audited_save(request, by=system_user(), reason="timestamp service did not answer")
