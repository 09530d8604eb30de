"""When and how a session last proved who its user is, and the password check again.

Every login records in the session when it happened and how (``login_recorded``, connected
to Django's ``user_logged_in``); ``is_recent`` reads it against ``ACCESS_REAUTH_MINUTES`` and
``/accounts/reauthenticate/`` renews it with the password (``password_confirm``, counted by
the lockout like any login). A signature no longer relies on that window: it needs a proof
made for it (``access.ceremony``, ADR 0022).

For the identity provider's callback: logging in through Django's ``login()`` with a backend
listed in ``ACCESS_IDENTITY_PROVIDER_BACKENDS`` records the provider as the method; a callback
that re-authenticates without a new login calls ``authentication_record(request,
method=IDENTITY_PROVIDER)``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

AUTHENTICATED_AT = "access.authenticated_at"
AUTHENTICATED_WITH = "access.authenticated_with"
PASSWORD = "password"  # noqa: S105 (a method's name, not a secret)
IDENTITY_PROVIDER = "identity_provider"


def authentication_record(request: HttpRequest, *, method: str, at: datetime | None = None):
    """Remember in the session that its user proved who they are now, and how."""
    request.session[AUTHENTICATED_AT] = (at or timezone.now()).timestamp()
    request.session[AUTHENTICATED_WITH] = method


@receiver(user_logged_in, dispatch_uid="access.login_recorded")
def login_recorded(sender, request, user, **kwargs) -> None:
    """Every login is a proof: by the identity provider if its backend logged the user in."""
    if request is None or not hasattr(request, "session"):
        return
    backend = getattr(user, "backend", "")
    method = (
        IDENTITY_PROVIDER if backend in settings.ACCESS_IDENTITY_PROVIDER_BACKENDS else PASSWORD
    )
    authentication_record(request, method=method)


def authenticated_at(request: HttpRequest) -> datetime | None:
    value = request.session.get(AUTHENTICATED_AT)
    return datetime.fromtimestamp(value, tz=UTC) if value is not None else None


def is_recent(request: HttpRequest, *, at: datetime | None = None) -> bool:
    """Whether this session proved its user within ``ACCESS_REAUTH_MINUTES``."""
    proved = authenticated_at(request)
    if proved is None:
        return False
    window = timedelta(minutes=settings.ACCESS_REAUTH_MINUTES)
    return timedelta(0) <= (at or timezone.now()) - proved <= window


def reauthenticate_url(request: HttpRequest, *, next_url: str) -> str:
    """Where to prove it again: the identity provider for its sessions, else the password."""
    provider = settings.ACCESS_IDENTITY_PROVIDER_REAUTH_URL
    if provider and request.session.get(AUTHENTICATED_WITH) == IDENTITY_PROVIDER:
        separator = "&" if "?" in provider else "?"
        return f"{provider}{separator}{urlencode({'next': next_url})}"
    return f"{reverse('access:reauthenticate')}?{urlencode({'next': next_url})}"


def password_confirm(
    request: HttpRequest, *, user: AbstractBaseUser, password: str, remember: bool = True
) -> bool:
    """Check the signed-in user's password again; a success renews the proof.

    It goes through ``authenticate`` with the request, so a wrong password counts towards the
    lockout and a locked-out account or address is refused whatever the password. With
    ``remember`` the session keeps the new proof (a page); the API proves it per request.
    """
    confirmed = authenticate(request, username=user.get_username(), password=password)
    if confirmed is None or confirmed.pk != user.pk:
        return False
    if remember:
        authentication_record(request, method=PASSWORD)
    return True
