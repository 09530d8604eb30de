"""The API's token authentication: ``Authorization: Token <secret>`` (or ``Bearer <secret>``).

The secret is looked up by its digest; an expired or revoked token is refused on the very
next request. Every refused token counts against the client's address (``access.lockout``):
past the threshold the address gets 429 with ``Retry-After`` in the error envelope, even with
a valid token, until the cool-off has passed.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from access.errors import AccessErrorCode
from access.lockout import (
    is_locked_out,
    locked_out_message,
    login_failed,
    retry_after_seconds,
    retry_at,
)
from access.models import ApiToken
from access.selectors import token_hash
from access.services import token_touch

KEYWORDS = (b"token", b"bearer")


class LockedOut(exceptions.APIException):
    """429: too many failed attempts from this client; ``wait`` becomes ``Retry-After``."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = gettext_lazy("Too many failed attempts. Try again later.")
    default_code = str(AccessErrorCode.LOCKED_OUT)

    def __init__(self, request) -> None:
        until = retry_at(request)
        self.wait = retry_after_seconds(until)
        super().__init__(locked_out_message(until))


class ApiTokenAuthentication(TokenAuthentication):
    """Authenticate by an ``access.ApiToken``; count every refused token against the address."""

    keyword = "Token"

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in KEYWORDS:
            return None
        django_request = request._request
        if is_locked_out(django_request):
            raise LockedOut(django_request)
        if len(auth) != 2:
            self._failed(django_request)
            if len(auth) == 1:
                raise exceptions.AuthenticationFailed(
                    _("Invalid token header. No credentials provided.")
                )
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        try:
            secret = auth[1].decode()
        except UnicodeError:
            self._failed(django_request)
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from None
        return self.authenticate_token(django_request, secret)

    def authenticate_token(self, request, secret: str):
        """The token's user and the token, or a refusal counted against the address."""
        now = timezone.now()
        key_hash = token_hash(secret)
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
        if token is None:
            self._failed(request)
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            self._failed(request)
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.expires_at <= now:
            self._failed(request)
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token_touch(key_hash=key_hash, at=now)
        return token.user, token

    def _failed(self, request) -> None:
        if login_failed(request, method="api_token", sender=type(self)):
            raise LockedOut(request)
