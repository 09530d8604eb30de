"""The subjects a user acts for: the list, and registering a company or a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from commitments.lifecycle.forms import SubjectRegisterForm, add_commitment_error
from directory import selectors as directory_selectors
from directory import services as directory_services
from directory.errors import DomainError


class SubjectListView(LoginRequiredMixin, ListView):
    template_name = "commitments/lifecycle/subject_list.html"
    context_object_name = "subjects"
    paginate_by = 50

    def get_queryset(self):
        return directory_selectors.subject_list(represented_by=self.request.user).order_by(
            "name", "pk"
        )


class SubjectRegisterView(LoginRequiredMixin, View):
    """Register a company or a person this user acts for."""

    template_name = "commitments/lifecycle/subject_register.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SubjectRegisterForm()})

    def post(self, request):
        form = SubjectRegisterForm(request.POST)
        if form.is_valid():
            try:
                subject = directory_services.subject_register(
                    kind=form.cleaned_data["kind"],
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    representative=request.user,
                )
            except DomainError as error:
                add_commitment_error(form, error)
            else:
                messages.success(request, _("%(name)s was registered.") % {"name": subject.name})
                next_url = request.GET.get("next", "")
                if next_url.startswith("/") and not next_url.startswith("//"):
                    return redirect(next_url)
                return redirect("commitments:subjects")
        return render(request, self.template_name, {"form": form}, status=400)
