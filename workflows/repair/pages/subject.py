"""The subject's side of credit repair and objections: when each record becomes repairable
and why not yet, the repair application (proofs + signed repair commitment), objections,
and the decisions.

Only a representative of the subject sees these pages; anything else is a 404. Each page
parses the request, calls one service and shows any domain error it refuses with.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from access.ceremony import signing_proof_context, signing_proof_for_page, signing_purpose
from credit.record.models.breaches import Breach
from directory import selectors as directory_selectors
from directory.errors import DomainError, refusal_into_form
from directory.identifiers import normalise
from workflows.repair.forms import RepairApplyForm
from workflows.repair.models import Objection
from workflows.repair.selectors.cases import (
    breach_list,
    breach_objection_list,
    breach_repair_list,
    open_objection,
    subject_breach_get,
    subject_objection_list,
    subject_repair_list,
)
from workflows.repair.selectors.eligibility import repair_eligibilities, repair_eligibility
from workflows.repair.services.objections import objection_submit
from workflows.repair.services.repair import ProofFile, repair_submit


class _SubjectPageMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.subject = (
            directory_selectors.subject_list(represented_by=request.user)
            .filter(code=normalise(kwargs["code"]))
            .first()
        )
        if self.subject is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def breach(self) -> Breach:
        breach = subject_breach_get(subject_id=self.subject.pk, pk=self.kwargs["breach_id"])
        if breach is None:
            raise Http404
        return breach


class RepairOverviewView(_SubjectPageMixin, TemplateView):
    """Every record of the subject with when it may be repaired, and the open cases."""

    template_name = "workflows/repair/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breaches = list(breach_list(subject_id=self.subject.pk))
        context.update(
            subject=self.subject,
            rows=list(zip(breaches, repair_eligibilities(breaches=breaches), strict=True)),
            applications=list(subject_repair_list(subject_id=self.subject.pk)),
            objections=list(subject_objection_list(subject_id=self.subject.pk)),
        )
        return context


class RepairApplyView(_SubjectPageMixin, TemplateView):
    """Apply to repair one record: proof of performance and the signed repair commitment."""

    template_name = "workflows/repair/apply.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach = self.breach()
        proof = signing_proof_context(
            self.request, purpose=signing_purpose("repair", str(breach.pk))
        )
        # back from the identity provider: the statement as typed (files cannot travel)
        returned = proof["signing_proof"]["form"]
        context.update(
            subject=self.subject,
            breach=breach,
            eligibility=repair_eligibility(breach=breach),
            applications=list(breach_repair_list(breach=breach)),
            form=kwargs.get("form")
            or RepairApplyForm(initial={"statement": returned.get("statement", "")}),
            statement_returned=bool(returned.get("statement")),
            **proof,
        )
        return context

    def post(self, request, *args, **kwargs):
        breach = self.breach()
        form = RepairApplyForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        proofs = [
            ProofFile(name=f.name, content_type=f.content_type or "", data=f.read())
            for f in form.cleaned_data["proofs"]
        ]
        try:
            purpose = signing_purpose("repair", str(breach.pk))
            if provider := signing_proof_for_page(request, purpose=purpose, next_url=request.path):
                return provider
            repair_submit(
                breach=breach,
                by=request.user,
                statement=form.cleaned_data["statement"],
                proofs=proofs,
            )
        except DomainError as error:
            refusal_into_form(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            request,
            _("Your repair application and repair commitment were submitted."),
        )
        return redirect("repair:repair", code=self.subject.code, breach_id=breach.pk)


class ObjectionView(_SubjectPageMixin, TemplateView):
    """Object to one record's content, duration or repair result."""

    template_name = "workflows/repair/objection.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach = self.breach()
        context.update(
            subject=self.subject,
            breach=breach,
            open_objection=open_objection(breach_id=breach.pk),
            objections=list(breach_objection_list(breach=breach)),
            kinds=Objection.Kind.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        breach = self.breach()
        try:
            objection_submit(
                breach=breach,
                by=request.user,
                kind=request.POST.get("kind", ""),
                grounds=request.POST.get("grounds", ""),
            )
        except DomainError as error:
            context = self.get_context_data(**kwargs)
            context.update(error=error, grounds=request.POST.get("grounds", ""))
            return self.render_to_response(context, status=400)
        messages.success(request, _("Your objection was filed; the record is under objection."))
        return redirect("repair:objection", code=self.subject.code, breach_id=breach.pk)
