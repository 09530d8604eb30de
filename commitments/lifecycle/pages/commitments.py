"""The commitment record: my commitments, one commitment with everything that happened to it,
and its signed PDF.

Views parse input, call one selector or service and map a ``DomainError`` to a message or a
404. Someone else's subject or commitment is indistinguishable from a missing one. Signing
lives in ``workflows.applicant_views`` because it starts the verification flow.
"""

from __future__ import annotations

import logging

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from access.ceremony import signing_proof_context, signing_purpose
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.forms import WithdrawForm, WithdrawSignedForm
from commitments.lifecycle.models import Commitment, SigningRequest, Verification
from commitments.lifecycle.selectors import (
    commitment_breaches,
    commitment_get,
    timeline_next_step,
    timeline_sentences,
)
from commitments.lifecycle.services.commitments import obligation_deadlines
from commitments.obligations.models import Obligation
from directory import selectors as directory_selectors
from signing.errors import SigningError
from signing.storage import document_read

logger = logging.getLogger(__name__)

# Refusals a page shows as a 404: a stranger cannot tell others' things from missing ones.
HIDDEN_CODES = (ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN)


def visible_commitment_or_404(request, reference: str) -> Commitment:
    """The commitment if this user may see it; a 404 otherwise (never a hint that it exists)."""
    try:
        return commitment_get(reference=reference, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None


def represents(user, commitment: Commitment) -> bool:
    """Whether the user may act on the commitment: it provenly represents the subject, or the
    commitment is its own draft for a subject it has claimed (signing then says what proof is
    missing)."""
    if (
        directory_selectors.subject_list(represented_by=user)
        .filter(pk=commitment.subject_id)
        .exists()
    ):
        return True
    return (
        commitment.status == Commitment.Status.DRAFT
        and commitment.created_by_id == user.pk
        and directory_selectors.subject_list_for_drafts(user=user)
        .filter(pk=commitment.subject_id)
        .exists()
    )


def own_commitment_or_404(request, reference: str) -> Commitment:
    """A commitment of a subject this user represents (a regulator may look, not act)."""
    commitment = visible_commitment_or_404(request, reference)
    if not represents(request.user, commitment):
        raise Http404
    return commitment


# Commitments ---------------------------------------------------------------------------------


class CommitmentDetailView(LoginRequiredMixin, TemplateView):
    """The record of one commitment: state, content, deadlines and everything that happened."""

    template_name = "commitments/lifecycle/detail.html"

    def get_context_data(self, **kwargs):
        commitment = visible_commitment_or_404(self.request, kwargs["reference"])
        try:
            verification = commitment.verification
        except Verification.DoesNotExist:
            verification = None
        return {
            **super().get_context_data(**kwargs),
            "commitment": commitment,
            "template": commitment.template,
            "is_representative": represents(self.request.user, commitment),
            "field_rows": commitment.field_rows(),
            "obligations": list(commitment.obligations.all()),
            "projected_deadlines": (
                obligation_deadlines(template=commitment.template, signed_on=timezone.localdate())
                if commitment.status == Commitment.Status.DRAFT
                else []
            ),
            "verification": verification,
            "breaches": (
                commitment_breaches(commitment=commitment)
                if commitment.status == Commitment.Status.BREACHED
                or any(o.status == Obligation.Status.BREACHED for o in commitment.obligations.all())
                else []
            ),
            "signing_request": _signing_request(commitment),
            "timeline": timeline_sentences(commitment=commitment),
            "next_step": timeline_next_step(commitment=commitment),
            "withdraw_form": WithdrawForm(),
            **signing_proof_context(
                self.request, purpose=signing_purpose("commitment", commitment.reference)
            ),
            "withdraw_signed_form": WithdrawSignedForm(),
            "may_withdraw_signed": (
                commitment.status
                in (Commitment.Status.SIGNED, Commitment.Status.UNDER_VERIFICATION)
                and commitment.template.rules.may_withdraw_before_decision
                and represents(self.request.user, commitment)
            ),
            "approval_consequences": list(
                commitment.approval_consequences.select_related("obligation")
            ),
        }


def _signing_request(commitment: Commitment) -> SigningRequest | None:
    """The draft's signing request waiting for a retry (or given up), if there is one."""
    if commitment.status != Commitment.Status.DRAFT:
        return None
    return (
        SigningRequest.objects.filter(commitment=commitment)
        .exclude(status=SigningRequest.Status.COMPLETED)
        .first()
    )


class CommitmentDownloadView(LoginRequiredMixin, View):
    """The signed PDF, byte for byte as stored; refused if storage no longer matches its hash."""

    def get(self, request, reference):
        commitment = visible_commitment_or_404(request, reference)
        if commitment.signed_document is None:
            raise Http404
        try:
            data = document_read(commitment.signed_document)
        except SigningError as error:
            logger.error("Signed document of %s unreadable: %s", commitment.reference, error)
            return render(
                request,
                "commitments/lifecycle/document_error.html",
                {"commitment": commitment, "document": commitment.signed_document},
                status=409,
            )
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{commitment.reference}.pdf"'
        return response
