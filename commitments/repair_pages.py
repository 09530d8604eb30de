"""The subject's side of credit repair and objections: when each record becomes repairable
and why not yet, the repair application (proofs + signed repair commitment), objections,
and the decisions.

Mounted at /credit/ through ``workflows.repair_subject_urls`` (which tracks each case as a
viewflow process). Only a representative of the subject sees these pages; anything else is
a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from commitments.errors import CommitmentError
from commitments.services.credit_repair import credit_objection_file, credit_repair_apply
from credit.models import Objection, RepairApplication
from credit.record.models.breaches import Breach
from credit.repair import open_objection, repair_eligibilities, repair_eligibility
from credit.services_repair import ProofFile
from directory import selectors as directory_selectors
from directory.identifiers import normalise


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
        breach = (
            Breach.objects.select_related("category", "rule_set", "subject", "department")
            .filter(subject=self.subject, pk=self.kwargs["breach_id"])
            .first()
        )
        if breach is None:
            raise Http404
        return breach


class RepairOverviewView(_SubjectPageMixin, TemplateView):
    """Every record of the subject with when it may be repaired, and the open cases."""

    template_name = "repair/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breaches = list(
            Breach.objects.filter(subject=self.subject)
            .select_related("category", "rule_set")
            .order_by("-record_date", "-pk")
        )
        context.update(
            subject=self.subject,
            rows=list(zip(breaches, repair_eligibilities(breaches=breaches), strict=True)),
            applications=list(
                RepairApplication.objects.filter(subject=self.subject)
                .select_related("breach__category", "department")
                .order_by("-pk")
            ),
            objections=list(
                Objection.objects.filter(subject=self.subject)
                .select_related("breach__category", "department")
                .order_by("-pk")
            ),
        )
        return context


class RepairApplyView(_SubjectPageMixin, TemplateView):
    """Apply to repair one record: proof of performance and the signed repair commitment."""

    template_name = "repair/apply.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach = self.breach()
        context.update(
            subject=self.subject,
            breach=breach,
            eligibility=repair_eligibility(breach=breach),
            applications=list(
                breach.repairs.select_related("department", "commitment").order_by("-pk")
            ),
        )
        return context

    # The workflow layer overrides this to track the case as a process.
    submit = staticmethod(credit_repair_apply)

    def post(self, request, *args, **kwargs):
        breach = self.breach()
        proofs = [
            ProofFile(name=f.name, content_type=f.content_type or "", data=f.read())
            for f in request.FILES.getlist("proofs")
        ]
        try:
            self.submit(
                breach=breach,
                by=request.user,
                statement=request.POST.get("statement", ""),
                proofs=proofs,
            )
        except CommitmentError as error:
            context = self.get_context_data(**kwargs)
            context.update(error=error, statement=request.POST.get("statement", ""))
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _("Your repair application and repair commitment were submitted."),
        )
        return redirect("repair:repair", code=self.subject.code, breach_id=breach.pk)


class ObjectionView(_SubjectPageMixin, TemplateView):
    """Object to one record's content, duration or repair result."""

    template_name = "repair/objection.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach = self.breach()
        context.update(
            subject=self.subject,
            breach=breach,
            open_objection=open_objection(breach_id=breach.pk),
            objections=list(breach.objections.select_related("department").order_by("-pk")),
            kinds=Objection.Kind.choices,
        )
        return context

    submit = staticmethod(credit_objection_file)

    def post(self, request, *args, **kwargs):
        breach = self.breach()
        try:
            self.submit(
                breach=breach,
                by=request.user,
                kind=request.POST.get("kind", ""),
                grounds=request.POST.get("grounds", ""),
            )
        except CommitmentError as error:
            context = self.get_context_data(**kwargs)
            context.update(error=error, grounds=request.POST.get("grounds", ""))
            return self.render_to_response(context, status=400)
        messages.success(request, _("Your objection was filed; the record is under objection."))
        return redirect("repair:objection", code=self.subject.code, breach_id=breach.pk)
