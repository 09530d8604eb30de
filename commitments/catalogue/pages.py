"""The catalogue's pages: the templates an applicant may pick, and each one's statutory notice
(告知), read and acknowledged before anything is filled in."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from commitments.catalogue.forms import NoticeAcknowledgeForm
from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.selectors import kind_list, template_list_active
from commitments.lifecycle.services.breaches import subject_exclusion_refusal
from directory.selectors import subject_list

ACKNOWLEDGED_SESSION_KEY = "commitments.acknowledged_templates"


def active_template_or_404(pk: int) -> CommitmentTemplate:
    """An active template an applicant may pick, or a 404."""
    return get_object_or_404(template_list_active(), pk=pk)


def notice_acknowledged(request, template: CommitmentTemplate) -> bool:
    """Whether this session read and acknowledged the template's notice."""
    return template.pk in request.session.get(ACKNOWLEDGED_SESSION_KEY, [])


class TemplateListView(LoginRequiredMixin, ListView):
    template_name = "commitments/catalogue/template_list.html"
    context_object_name = "templates"

    def get_queryset(self):
        self.kinds = kind_list(applicant_may_pick=True)
        codes = [kind.code for kind in self.kinds]
        kind = self.request.GET.get("kind", CommitmentTemplate.Kind.INFORM_AND_COMMIT)
        if kind not in codes:
            kind = CommitmentTemplate.Kind.INFORM_AND_COMMIT
        self.kind = kind
        return template_list_active(kind=kind)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "kinds": self.kinds,
            "current_kind": self.kind,
            "current_kind_rules": next((k for k in self.kinds if k.code == self.kind), None),
        }


class TemplateNoticeView(LoginRequiredMixin, View):
    """The statutory notice (告知): read and acknowledge it before filling anything in."""

    template_name = "commitments/catalogue/notice.html"

    def get(self, request, pk):
        template = active_template_or_404(pk)
        return self._render(request, template, NoticeAcknowledgeForm())

    def post(self, request, pk):
        template = active_template_or_404(pk)
        form = NoticeAcknowledgeForm(request.POST)
        if not form.is_valid():
            return self._render(request, template, form, status=400)
        acknowledged = request.session.get(ACKNOWLEDGED_SESSION_KEY, [])
        if template.pk not in acknowledged:
            request.session[ACKNOWLEDGED_SESSION_KEY] = [*acknowledged, template.pk]
        return redirect("commitments:create", pk=template.pk)

    def _render(self, request, template, form, status=200):
        context = {
            "template": template,
            "form": form,
            "obligation_rules": list(template.obligation_rules.all()),
            "exclusions": [
                refusal.message
                for subject in subject_list(represented_by=request.user).order_by("name")
                if (refusal := subject_exclusion_refusal(subject=subject)) is not None
            ],
        }
        return render(request, self.template_name, context, status=status)
