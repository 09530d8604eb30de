"""The applicant's sign action. It lives here, not in ``commitments``, because signing also
starts the verification flow and the domain never imports ``workflows``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from viewflow.workflow.exceptions import FlowLockFailed

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle import selectors
from workflows.services import commitment_submit


class CommitmentSignView(LoginRequiredMixin, View):
    """Sign a draft and hand it to the competent department, or say why not (nothing changes).

    A second POST (a double click) meets ALREADY_SIGNED and gets a friendly message.
    """

    http_method_names = ["post"]

    def post(self, request, reference: str):
        try:
            commitment = selectors.commitment_get(reference=reference, visible_to=request.user)
        except CommitmentError:
            raise Http404 from None
        detail = redirect("commitments:detail", reference=reference)
        if not request.POST.get("confirm"):
            messages.error(
                request,
                _("Confirm that you accept the liability for a false commitment before signing."),
            )
            return detail
        try:
            submitted = commitment_submit(commitment=commitment, by=request.user)
        except CommitmentError as error:
            if error.code in (ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN):
                raise Http404 from None
            if error.code == ErrorCode.ALREADY_SIGNED:
                messages.info(
                    request, _("This commitment has already been signed; nothing was changed.")
                )
            else:
                messages.error(
                    request,
                    _("The commitment was not signed: %(reason)s") % {"reason": error.message},
                )
            return detail
        except FlowLockFailed:
            messages.warning(
                request, _("This commitment is being processed right now. Try again in a moment.")
            )
            return detail
        if submitted.status == submitted.Status.DRAFT:  # the timestamp service did not answer
            messages.info(request, _("Signing in progress, waiting for the timestamp service."))
            return detail
        messages.success(
            request,
            _(
                "Signed. Commitment %(reference)s has been sent to the competent department for "
                "verification."
            )
            % {"reference": reference},
        )
        return detail
