"""Drafting: fill in a template after its notice, change a draft, preview it, withdraw it.

Signing lives in ``workflows.applicant_views`` because it starts the verification flow.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from commitments.catalogue.pages import active_template_or_404, notice_acknowledged
from commitments.lifecycle.forms import (
    CommitmentCreateForm,
    CommitmentFieldsForm,
    WithdrawForm,
    WithdrawSignedForm,
)
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.pages.commitments import HIDDEN_CODES, own_commitment_or_404
from commitments.lifecycle.services.commitments import (
    commitment_create,
    commitment_preview,
    commitment_update_draft,
)
from commitments.lifecycle.services.withdrawal import commitment_withdraw
from directory import selectors as directory_selectors
from directory.errors import DomainError


class CommitmentCreateView(LoginRequiredMixin, View):
    """Choose the committing subject and fill in the template's fields: a draft results."""

    template_name = "commitments/lifecycle/create.html"

    def _guard(self, request, template):
        if not notice_acknowledged(request, template):
            messages.info(request, _("Read and acknowledge the notice first."))
            return redirect("commitments:notice", pk=template.pk)
        subjects = directory_selectors.subject_list_for_drafts(user=request.user)
        if not subjects.exists():
            messages.info(request, _("Register the company or person you act for first."))
            url = reverse("commitments:subject_register")
            return redirect(f"{url}?next={reverse('commitments:create', args=[template.pk])}")
        return None

    def get(self, request, pk):
        template = active_template_or_404(pk)
        if response := self._guard(request, template):
            return response
        form = CommitmentCreateForm(
            template=template,
            subjects=directory_selectors.subject_list_for_drafts(user=request.user),
        )
        return self._render(request, template, form)

    def post(self, request, pk):
        template = active_template_or_404(pk)
        if response := self._guard(request, template):
            return response
        form = CommitmentCreateForm(
            request.POST,
            template=template,
            subjects=directory_selectors.subject_list_for_drafts(user=request.user),
        )
        if form.is_valid():
            try:
                commitment = commitment_create(
                    by=request.user,
                    subject=form.cleaned_data["subject"],
                    template=template,
                    field_values=form.field_values(),
                    region=form.cleaned_data["region"],
                )
            except DomainError as error:
                form.add_commitment_error(error)
            else:
                messages.success(
                    request,
                    _("Draft %(reference)s saved. Check it, preview the document and sign.")
                    % {"reference": commitment.reference},
                )
                return redirect("commitments:detail", reference=commitment.reference)
        return self._render(request, template, form, status=400)

    def _render(self, request, template, form, status=200):
        return render(
            request, self.template_name, {"template": template, "form": form}, status=status
        )


class CommitmentEditView(LoginRequiredMixin, View):
    """Change the filled-in fields of a draft."""

    template_name = "commitments/lifecycle/edit.html"

    def _load(self, request, reference):
        commitment = own_commitment_or_404(request, reference)
        if commitment.status != Commitment.Status.DRAFT:
            messages.info(request, _("Only a draft can be changed."))
            return commitment, None
        return commitment, commitment.template

    def get(self, request, reference):
        commitment, template = self._load(request, reference)
        if template is None:
            return redirect("commitments:detail", reference=reference)
        initial = {f"field_{k}": v for k, v in commitment.field_values.items()}
        form = CommitmentFieldsForm(template=template, initial=initial)
        return self._render(request, commitment, form)

    def post(self, request, reference):
        commitment, template = self._load(request, reference)
        if template is None:
            return redirect("commitments:detail", reference=reference)
        form = CommitmentFieldsForm(request.POST, template=template)
        if form.is_valid():
            try:
                commitment_update_draft(
                    commitment=commitment, by=request.user, field_values=form.field_values()
                )
            except DomainError as error:
                if error.code in HIDDEN_CODES:
                    raise Http404 from None
                form.add_commitment_error(error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("commitments:detail", reference=reference)
        return self._render(request, commitment, form, status=400)

    def _render(self, request, commitment, form, status=200):
        return render(
            request, self.template_name, {"commitment": commitment, "form": form}, status=status
        )


class CommitmentWithdrawView(LoginRequiredMixin, View):
    """Drop a draft, or withdraw a signed commitment before the decision (with a reason);
    the applicant falls back to the ordinary procedure."""

    def post(self, request, reference):
        commitment = own_commitment_or_404(request, reference)
        was_signed = commitment.is_signed
        form = (WithdrawSignedForm if was_signed else WithdrawForm)(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                messages.error(request, " ".join(problems))
            return redirect("commitments:detail", reference=reference)
        try:
            commitment_withdraw(
                commitment=commitment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            if error.code in HIDDEN_CODES:
                raise Http404 from None
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The commitment was withdrawn and its verification cancelled.")
                if was_signed
                else _("The draft was withdrawn."),
            )
        return redirect("commitments:detail", reference=reference)


class CommitmentPreviewView(LoginRequiredMixin, View):
    """The draft as a PDF in the browser: a 样稿 preview, or (``?for=signing``) the exact
    form to sign with one's own certificate and upload."""

    def get(self, request, reference):
        commitment = own_commitment_or_404(request, reference)
        for_signing = request.GET.get("for") == "signing"
        try:
            pdf = commitment_preview(
                commitment=commitment, by=request.user, for_signing_elsewhere=for_signing
            )
        except DomainError as error:
            if error.code in HIDDEN_CODES:
                raise Http404 from None
            messages.error(request, error.message)
            return redirect("commitments:detail", reference=reference)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = (
            f"{commitment.reference}.pdf" if for_signing else f"{commitment.reference}-preview.pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
