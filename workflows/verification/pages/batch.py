"""``/commitments/batch/sign/``: choose several drafts, read them, sign them with one proof.

The proof (``access.ceremony``) is made for this one batch: the password typed into the form,
or a fresh identity-provider login started by the press of *Sign* for exactly these drafts.
Each draft is then signed on its own (``commitment_batch_submit``); the result page lists
every draft with its outcome and reason.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from access.ceremony import signing_proof_context, signing_proof_for_page, signing_purpose
from access.errors import AccessError
from commitments.errors import CommitmentError
from workflows.verification.services.batch import (
    REFUSED,
    SIGNED,
    WAITING,
    batch_references_clean,
    batch_signable,
    commitment_batch_submit,
)


class BatchSignView(LoginRequiredMixin, View):
    """The representative's drafts, each with its text, to tick and sign together."""

    template_name = "workflows/verification/batch_sign.html"
    result_template_name = "workflows/verification/batch_result.html"

    def _page(self, request, *, chosen: list[str], error: str = "", status: int = 200):
        drafts = list(batch_signable(user=request.user)[:200])
        return render(
            request,
            self.template_name,
            {
                "drafts": drafts,
                "chosen": set(chosen),
                "error": error,
                **signing_proof_context(request, purpose=signing_purpose("batch", *chosen)),
            },
            status=status,
        )

    def get(self, request):
        return self._page(request, chosen=request.GET.getlist("ref"))

    def post(self, request):
        chosen = request.POST.getlist("references")
        try:
            references = batch_references_clean(chosen)
        except CommitmentError as error:
            return self._page(request, chosen=chosen, error=error.message, status=400)
        if not request.POST.get("confirm"):
            return self._page(
                request,
                chosen=references,
                error=_("Confirm that you accept the liability for a false commitment."),
                status=400,
            )
        back = f"{request.path}?{urlencode([('ref', r) for r in references])}"
        try:
            purpose = signing_purpose("batch", *references)
            if provider := signing_proof_for_page(request, purpose=purpose, next_url=back):
                return provider
        except AccessError as error:
            message = _("Nothing was signed: %(reason)s") % {"reason": error.message}
            return self._page(request, chosen=references, error=message, status=400)
        results = commitment_batch_submit(references=references, by=request.user)
        return render(
            request,
            self.result_template_name,
            {
                "results": results,
                "signed": sum(1 for item in results if item.outcome == SIGNED),
                "waiting": sum(1 for item in results if item.outcome == WAITING),
                "refused": sum(1 for item in results if item.outcome == REFUSED),
            },
        )
