"""Bring your own signature: upload a commitment PDF signed elsewhere (a CA-issued USB key).

It lives in ``workflows`` because an accepted upload starts the verification flow, like the
platform signature (``applicant_views``). The upload is limited while it streams in
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

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle import selectors
from commitments.lifecycle.forms import read_upload
from commitments.lifecycle.services.signatures import upload_limit_bytes
from workflows.services import commitment_submit


@method_decorator(csrf_exempt, name="dispatch")  # upload handlers first, then CSRF (below)
class CommitmentUploadSignedView(LoginRequiredMixin, View):
    """``/commitments/<reference>/upload-signed/``: submit a commitment signed elsewhere."""

    template_name = "workflows/upload_signed.html"

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
        except CommitmentError as error:
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
