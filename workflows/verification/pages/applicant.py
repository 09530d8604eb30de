"""The applicant's actions that start the verification: sign on the platform, or upload a PDF
signed elsewhere (a CA-issued USB key).

They live here, not in ``commitments``, because signing also starts the verification flow and
the domain never imports ``workflows``. The upload is limited while it streams in
(``SIGNING_UPLOAD_MAX_BYTES``), checked in memory, and stored only once every check passed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from viewflow.workflow.exceptions import FlowLockFailed

from access.ceremony import signing_proof_for_page, signing_purpose
from access.errors import AccessError
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle import selectors
from commitments.lifecycle.forms import read_upload
from commitments.lifecycle.services.signatures import upload_limit_bytes
from directory.errors import DomainError
from workflows.verification.services.submission import commitment_submit


class CommitmentSignView(LoginRequiredMixin, View):
    """Sign a draft and hand it to the competent department, or say why not (nothing changes).

    A second POST (a double click) meets ALREADY_SIGNED and gets a friendly message. Every
    signature carries its own proof (``access.ceremony``): the password typed into the sign
    form, or, for a person without one, a fresh login at the identity provider made for this
    commitment (the first press goes there; back on the page, the second press signs).
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
            purpose = signing_purpose("commitment", reference)
            if provider := signing_proof_for_page(request, purpose=purpose, next_url=detail.url):
                return provider
        except AccessError as error:
            messages.error(
                request, _("The commitment was not signed: %(reason)s") % {"reason": error.message}
            )
            return detail
        try:
            submitted = commitment_submit(commitment=commitment, by=request.user)
        except DomainError as error:
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


@method_decorator(csrf_exempt, name="dispatch")  # upload handlers first, then CSRF (below)
class CommitmentUploadSignedView(LoginRequiredMixin, View):
    """``/commitments/<reference>/upload-signed/``: submit a commitment signed elsewhere."""

    template_name = "workflows/verification/upload_signed.html"

    def _commitment(self, request, reference: str):  # type: ignore[no-untyped-def]
        try:
            return selectors.commitment_get(reference=reference, visible_to=request.user)
        except CommitmentError:
            raise Http404 from None

    def get(self, request, reference: str):  # type: ignore[no-untyped-def]
        """Show the upload form."""
        commitment = self._commitment(request, reference)
        return render(request, self.template_name, {"commitment": commitment})

    def post(self, request, reference: str):  # type: ignore[no-untyped-def]
        """Limit the upload as it streams, then check CSRF and submit."""
        commitment = self._commitment(request, reference)
        try:
            data = read_upload(request, "file", upload_limit_bytes())
        except CommitmentError as error:
            return self._refuse(request, commitment, error.message, status=413)
        return csrf_protect(self._submit)(request, commitment=commitment, data=data)

    def _submit(self, request, *, commitment, data):  # type: ignore[no-untyped-def]
        if data is None:
            return self._refuse(request, commitment, _("Choose the signed PDF file."))
        try:
            submitted = commitment_submit(commitment=commitment, by=request.user, uploaded_pdf=data)
        except DomainError as error:
            if error.code in (ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN):
                raise Http404 from None
            return self._refuse(request, commitment, error.message)
        if submitted.status == submitted.Status.DRAFT:
            messages.info(request, _("Signing in progress, waiting for the timestamp service."))
        else:
            messages.success(
                request,
                _(
                    "Your signature was accepted. Commitment %(reference)s was sent for "
                    "verification."
                )
                % {"reference": commitment.reference},
            )
        return redirect("commitments:detail", reference=commitment.reference)

    def _refuse(self, request, commitment, message, status: int = 400):  # type: ignore[no-untyped-def]
        return render(
            request,
            self.template_name,
            {"commitment": commitment, "error": message},
            status=status,
        )
