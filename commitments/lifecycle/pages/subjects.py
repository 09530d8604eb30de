"""The subjects a user acts for: the list with each representation's standing, and
registering (claiming) a company or a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from commitments.lifecycle.forms import SubjectRegisterForm, add_commitment_error
from directory.errors import DirectoryErrorCode, DomainError
from directory.representation import selectors as representation_selectors
from directory.representation import services as representation_services
from directory.services import subject_get_by_code


class SubjectListView(LoginRequiredMixin, ListView):
    """Every representation of the user: proven ones, claims still to prove, letters under
    review, requests, and those refused or revoked with the reason."""

    template_name = "commitments/lifecycle/subject_list.html"
    context_object_name = "representations"
    paginate_by = 50

    def get_queryset(self):
        return representation_selectors.representation_list_of_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_officer"] = representation_selectors.is_representation_officer(
            self.request.user
        )
        return context


class SubjectRegisterView(LoginRequiredMixin, View):
    """Register (claim) a company or a person this user acts for.

    A new code is registered with the user's claim (drafts only, until proven). A code that
    already has a proven representative shows the two ways forward instead of a dead end.
    """

    template_name = "commitments/lifecycle/subject_register.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SubjectRegisterForm()})

    def post(self, request):
        form = SubjectRegisterForm(request.POST)
        represented = None
        if form.is_valid():
            try:
                claim = representation_services.subject_claim(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                )
            except DomainError as error:
                if error.code == DirectoryErrorCode.ALREADY_REPRESENTED:
                    represented = subject_get_by_code(code=form.cleaned_data["code"])
                    form.add_error(None, error.message)
                else:
                    add_commitment_error(form, error)
            else:
                if claim.status == claim.Status.PROVEN:
                    messages.info(
                        request, _("You already represent %(name)s.") % {"name": claim.subject.name}
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "You have claimed %(name)s. You may prepare drafts now; to sign, prove "
                            "that you represent it: sign with your enterprise certificate, log in "
                            "through the identity platform, or upload an authorisation letter."
                        )
                        % {"name": claim.subject.name},
                    )
                next_url = request.GET.get("next", "")
                if next_url.startswith("/") and not next_url.startswith("//"):
                    return redirect(next_url)
                return redirect("commitments:subjects")
        return render(
            request, self.template_name, {"form": form, "represented": represented}, status=400
        )
