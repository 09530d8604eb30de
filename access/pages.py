"""``/accounts/reauthenticate/``: prove who you are again before signing."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from access.forms import ReauthenticateForm
from access.reauth import password_confirm


class ReauthenticateView(LoginRequiredMixin, View):
    """Ask the signed-in user for the password, then go back where they were."""

    template_name = "access/reauthenticate.html"

    def _next(self, request) -> str:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return "/"

    def get(self, request):
        return render(
            request,
            self.template_name,
            {"form": ReauthenticateForm(), "next": self._next(request)},
        )

    def post(self, request):
        form = ReauthenticateForm(request.POST)
        if form.is_valid():
            password = form.cleaned_data["password"]
            if password_confirm(request, user=request.user, password=password):
                return redirect(self._next(request))
            form.add_error("password", _("The password is not correct."))
        return render(
            request, self.template_name, {"form": form, "next": self._next(request)}, status=400
        )
