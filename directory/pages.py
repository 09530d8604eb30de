"""Logging in through the identity provider: the start of the flow and the provider's callback.

Both pages answer 404 unless the provider is configured (``directory.oidc.is_configured``).
The callback turns every refusal into a message on the login page, logs nobody in, and tells
``identity_login_failed`` (brute-force protection listens there and on Django's
``user_login_failed``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from directory import oidc
from directory.errors import DirectoryError, DirectoryErrorCode


class IdentityProviderLoginView(OIDCAuthenticationRequestView):
    """Send the browser to the identity provider with a fresh state, nonce and PKCE verifier."""

    def get(self, request):
        if not oidc.is_configured():
            raise Http404
        return super().get(request)

    def get_extra_params(self, request) -> dict:
        """Before a signature (``?reauthenticate=1``) the provider must see the person log in
        now, not answer from its own session."""
        params = super().get_extra_params(request)
        if request.GET.get("reauthenticate"):
            params.update({"prompt": "login", "max_age": "0"})
        return params


class IdentityProviderCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: verify everything, then log the user in."""

    @property
    def failure_url(self) -> str:
        return resolve_url(settings.LOGIN_URL)

    def get(self, request):
        if not oidc.is_configured():
            raise Http404
        error = self.request_refusal(request)
        if error is not None:
            return self.refuse(error)
        try:
            return super().get(request)
        except DirectoryError as error:
            return self.refuse(error)

    def request_refusal(self, request) -> DirectoryError | None:
        """A refusal readable from the callback's own parameters, before any token is fetched.

        The state is consumed here when the provider answered with an error, so neither an
        error nor a replay can use it again.
        """
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            if state in states:
                del request.session["oidc_states"][state]
                request.session.save()
            return oidc.refusal(
                DirectoryErrorCode.IDENTITY_PROVIDER_REFUSED,
                _("The identity platform did not confirm your identity (%(reason)s).")
                % {
                    "reason": request.GET.get("error_description") or request.GET.get("error"),
                },
            )
        if not request.GET.get("code") or state not in states:
            return oidc.refusal(
                DirectoryErrorCode.IDENTITY_LOGIN_UNKNOWN,
                _(
                    "This login through the identity platform is unknown here or was already "
                    "used. Start again from the login page."
                ),
            )
        issuer = request.GET.get("iss")
        if issuer is not None and issuer != settings.CHENGNUO_OIDC_ISSUER:
            # RFC 9207: the answer names its issuer, so a mix-up with another provider shows.
            del request.session["oidc_states"][state]
            request.session.save()
            return oidc.refusal(
                DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
                _("The answer came from %(issuer)s, not from the configured identity platform.")
                % {"issuer": issuer},
            )
        return None

    def login_failure(self):
        return self.refuse(
            oidc.refusal(
                DirectoryErrorCode.IDENTITY_PROVIDER_REFUSED,
                _(
                    "The login through the identity platform did not succeed. Start again from "
                    "the login page."
                ),
            )
        )

    def login_success(self):
        # mozilla-django-oidc logs in again only another user: the same person's new login at
        # the provider (before a signature) is a session refresh to it, and Django's
        # user_logged_in is not sent. Say it here, so the signing ceremony hears of it.
        current = getattr(self.request, "user", None)
        renewed = bool(current and current.is_authenticated and current == self.user)
        response = super().login_success()
        if renewed:
            oidc.identity_login_renewed.send(
                sender=type(self), request=self.request, user=self.user
            )
        messages.success(self.request, _("You are logged in through the identity platform."))
        return response

    def refuse(self, error: DirectoryError):
        """Log nobody in, show why on the login page and tell who counts failed logins."""
        request = self.request
        if request.user.is_authenticated:
            auth.logout(request)
        oidc.identity_login_failed.send(sender=type(self), request=request, error=error)
        user_login_failed.send(
            sender=oidc.IdentityProviderBackend.__module__,
            credentials={"identity_provider": settings.CHENGNUO_OIDC_ISSUER},
            request=request,
        )
        messages.error(request, error.message)
        return super().login_failure()
