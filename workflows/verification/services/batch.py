"""Batch signing (issue 15, point 4): a representative signs several drafts with one proof.

Each draft is signed on its own, exactly as one signature is (``commitment_submit``: its own
PDF, register entry, commitment record and verification, in its own transaction). One refusal
or failure neither stops nor undoes the others; every draft gets an outcome and a reason.
Someone else's draft, or a draft of a subject the signer does not represent, is refused by the
same checks as a single signature and stays as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle import selectors
from commitments.lifecycle.models import Commitment
from directory import selectors as directory_selectors
from directory.errors import DomainError
from workflows.verification.services.submission import commitment_submit

logger = logging.getLogger(__name__)

SIGNED = "signed"
WAITING = "waiting"
REFUSED = "refused"


@dataclass(frozen=True)
class BatchItem:
    """What became of one draft of a batch: signed, waiting for the timestamp service, or
    refused (``code`` and ``reason`` say why; the draft is unchanged)."""

    reference: str
    outcome: str
    reason: str = ""
    code: str = ""
    commitment: Commitment | None = None


def batch_signable(*, user: AbstractBaseUser) -> QuerySet[Commitment]:
    """The drafts the user may sign in a batch: drafts of subjects it provenly represents, of
    the kinds signed on their own (not pledges or repair commitments)."""
    represented = directory_selectors.subject_list(represented_by=user).values("pk")
    own_process = [str(kind) for kind in CommitmentTemplate.KINDS_WITH_OWN_PROCESS]
    return (
        Commitment.objects.select_related("template", "template__matter", "subject")
        .filter(status=Commitment.Status.DRAFT, subject__in=represented)
        .exclude(template__kind__in=own_process)
        .order_by("-created_at")
    )


def batch_references_clean(references: list[str]) -> list[str]:
    """The references in order, each once, or INVALID (none, or more than the batch takes)."""
    unique = list(dict.fromkeys(r.strip() for r in references if r and r.strip()))
    if not unique:
        raise CommitmentError(
            ErrorCode.INVALID, _("Choose at least one draft to sign."), field="references"
        )
    if len(unique) > settings.SIGNING_BATCH_MAX:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Sign at most %(count)d drafts at a time.") % {"count": settings.SIGNING_BATCH_MAX},
            field="references",
        )
    return unique


def _sign_one(*, reference: str, by: AbstractBaseUser) -> BatchItem:
    try:
        commitment = selectors.commitment_get(reference=reference, visible_to=by)
    except CommitmentError:
        return BatchItem(
            reference,
            REFUSED,
            _("There is no draft with this reference that you may sign."),
            str(ErrorCode.NOT_FOUND),
        )
    try:
        submitted = commitment_submit(commitment=commitment, by=by)
    except DomainError as error:
        return BatchItem(reference, REFUSED, error.message, str(error.code), commitment)
    except FlowLockFailed:
        return BatchItem(
            reference,
            REFUSED,
            _("This commitment is being processed right now. Try again in a moment."),
            str(ErrorCode.CONCURRENT_CHANGE),
            commitment,
        )
    if submitted.status == Commitment.Status.DRAFT:  # the timestamp service did not answer
        return BatchItem(
            reference,
            WAITING,
            _("Signature accepted; waiting for the timestamp service, completed automatically."),
            commitment=submitted,
        )
    return BatchItem(reference, SIGNED, commitment=submitted)


def commitment_batch_submit(*, references: list[str], by: AbstractBaseUser) -> list[BatchItem]:
    """Sign each draft on its own and start its verification; one outcome per reference.

    The caller has checked the signer's proof for this batch (``access.ceremony``) and the
    references (``batch_references_clean``). Each signature commits on its own: a refusal
    or an unexpected failure of one draft is recorded for it and the next one is signed.
    """
    results = []
    for reference in references:
        try:
            results.append(_sign_one(reference=reference, by=by))
        except Exception:  # one broken draft must not stop the others; it stays unsigned
            logger.exception("batch signing failed for %s", reference)
            results.append(
                BatchItem(
                    reference,
                    REFUSED,
                    _("The signature could not be made because of an internal error."),
                    "error",
                )
            )
    return results
