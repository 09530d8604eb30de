"""Brute-force protection on every way in, with django-axes.

- The login page and ``/admin/login/`` authenticate through ``LockoutBackend`` (first in
  ``AUTHENTICATION_BACKENDS``): a locked-out account or address is refused before its password
  is even checked, and every failed password is counted (Django's ``user_login_failed``).
- API tokens (``access.authentication``, and the credit check's own plain view) count an
  unknown, expired or revoked token against the client's address with ``login_failed``.
- The identity provider's callback (OpenID Connect) calls ``login_failed`` on a failed
  verification and ``is_locked_out`` before it verifies; both are this module's public API.

Failures are counted per account and per address (``lockout_parameters``): a token carries no
account, so it counts against its address only. ``ACCESS_LOCKOUT_FAILURES`` failures within
``ACCESS_LOCKOUT_MINUTES`` lock the account or address out until that many minutes after the
last failure. Axes keeps the counts (``AccessAttempt``) and a row for every failure
(``AccessFailureLog``), both shown in the admin.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access.errors import AccessErrorCode

API_PATH_PREFIX = "/api/"


class LockoutBackend(AxesStandaloneBackend):
    """Refuse a locked-out account or address before any password is checked.

    ``authenticate`` without a request (a management command, Django's test client's
    ``login``) is no login attempt from a client: there is no address to count, so this
    backend steps aside and the next backend decides, as it would without axes.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address a failure counts against.

    ``REMOTE_ADDR``, unless ``ACCESS_PROXY_COUNT`` proxies stand in front: then the address the
    outermost of them saw, which each proxy appends to ``X-Forwarded-For`` (so it is read from
    the right; what a client wrote further left is never trusted).
    """
    count = settings.ACCESS_PROXY_COUNT
    if count:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def lockout_parameters(request, credentials) -> list[str]:
    """Count failures per account and per address; a token (no account) per address only."""
    if credentials is not None and credentials.get("username") is None:
        return ["ip_address"]
    return ["username", "ip_address"]


def credentials_of(username: str | None, method: str) -> dict:
    """What axes is told of an attempt: the account if known, and how (never the secret)."""
    return {"username": username, "method": method}


def is_locked_out(request: HttpRequest, *, username: str | None = None) -> bool:
    """Whether this client (its address, and the account if given) is locked out now."""
    return AxesProxyHandler.is_locked(request, credentials_of(username, "check"))


@dataclass(frozen=True, slots=True)
class TokenLockout:
    """What decides whether a token's client is locked out now, for a statement that reads
    the failures itself (``failures_sql``): the client's address, the start of the cool-off
    and the failure limit. Locked out when the failures counted from ``address`` since
    ``since`` reach ``limit``, exactly as ``is_locked_out`` decides for a token."""

    address: str
    since: datetime
    limit: int


def token_lockout(request: HttpRequest) -> TokenLockout | None:
    """The lockout rule for a token from this client, for a caller that reads the failures
    in its own statement instead of asking ``is_locked_out`` in a round trip of its own.

    None when the rule is not that plain count (axes not keeping its counts in this
    database, no cool-off, a lockout that is off or counts by more than the address, no
    address): the caller then asks ``is_locked_out``.

    What the settings decide is read once per process (``token_rule``); per request only the
    client's address and the time are. Settings that axes reads per request (a callable
    cool-off, limit or address) are asked per request, as ``token_lockout_asked`` does.
    """
    rule = token_rule()
    if rule is None:
        return token_lockout_asked(request)
    if rule is NO_RULE:
        return None
    address = client_address(request)
    if not address:
        return None
    return TokenLockout(address=address, since=timezone.now() - rule.cool_off, limit=rule.limit)


@dataclass(frozen=True, slots=True)
class TokenRule:
    """What axes' settings say of a token's lockout whatever the request: the cool-off and
    the failure limit of the plain count by address."""

    cool_off: timedelta
    limit: int


NO_RULE = TokenRule(cool_off=timedelta(0), limit=0)  # settings under which there is none
_token_rules: list[TokenRule | None] = []


def token_rule() -> TokenRule | None:
    """The token rule as the settings give it, read once per process (and again when a
    setting changes): ``NO_RULE`` if the statement may not count the failures itself,
    None if the settings leave it to the request (a callable or dotted path other than this
    module's own functions)."""
    if not _token_rules:
        _token_rules.append(_settings_token_rule())
    return _token_rules[0]


def _own(value, function) -> bool:
    """Whether an axes setting names ``function`` (by itself or its dotted path)."""
    return value is function or value == f"{function.__module__}.{function.__qualname__}"


def _settings_token_rule() -> TokenRule | None:
    if (
        not isinstance(AxesProxyHandler.get_implementation(), AxesDatabaseHandler)
        or not axes_settings.AXES_LOCK_OUT_AT_FAILURE
        or axes_settings.AXES_COOLOFF_TIME is None
    ):
        return NO_RULE
    parameters = axes_settings.AXES_LOCKOUT_PARAMETERS
    cool_off = axes_settings.AXES_COOLOFF_TIME
    limit = axes_settings.AXES_FAILURE_LIMIT
    if (
        not (_own(parameters, lockout_parameters) or isinstance(parameters, list))
        or not _own(axes_settings.AXES_CLIENT_IP_CALLABLE, client_address)
        or isinstance(cool_off, str)
        or callable(cool_off)
        or not isinstance(limit, int)
    ):
        return None
    if get_lockout_parameters(HttpRequest(), credentials_of(None, "check")) != ["ip_address"]:
        return NO_RULE
    return TokenRule(cool_off=get_cool_off(), limit=limit)


@receiver(setting_changed)
def _forget_token_rule(*, setting: str, **kwargs) -> None:
    if setting.startswith("AXES_"):
        _token_rules.clear()


def token_lockout_asked(request: HttpRequest) -> TokenLockout | None:
    """``token_lockout`` with every setting asked through axes for this request."""
    credentials = credentials_of(None, "check")
    AxesProxyHandler.update_request(request)
    if (
        not isinstance(AxesProxyHandler.get_implementation(), AxesDatabaseHandler)
        or not axes_settings.AXES_LOCK_OUT_AT_FAILURE
        or axes_settings.AXES_COOLOFF_TIME is None
        or get_lockout_parameters(request, credentials) != ["ip_address"]
        or not request.axes_ip_address
    ):
        return None
    return TokenLockout(
        address=request.axes_ip_address,
        since=get_cool_off_threshold(request),
        limit=get_failure_limit(request, credentials),
    )


def failures_sql(*, address: str, since: str) -> str:
    """PostgreSQL: the failures counted against the address ``address`` (an SQL expression
    of type text) since ``since`` (timestamptz): what ``is_locked_out`` sums for a token,
    one indexed read of axes' counts (``ip_address`` is indexed)."""
    table = AccessAttempt._meta.db_table
    return (
        f"COALESCE((SELECT SUM(f.failures_since_start) FROM {table} f"  # noqa: S608
        f" WHERE f.ip_address = ({address})::inet AND f.attempt_time >= {since}), 0)"
    )


def login_failed(
    request: HttpRequest, *, username: str | None = None, method: str, sender=None
) -> bool:
    """Count a failed attempt (a wrong token, a failed identity-provider verification).

    Returns whether the client is locked out now. ``method`` names the way in
    (``"api_token"``, ``"oidc"``…) and is kept with the failure; the secret never is.
    """
    user_login_failed.send(
        sender=sender or __name__, credentials=credentials_of(username, method), request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def retry_at(request: HttpRequest, *, username: str | None = None) -> datetime:
    """When the lockout ends: the cool-off after the latest failure that counts."""
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    cool_off = get_cool_off(request)
    latest = None
    for attempts in handler.get_user_attempts(request, credentials_of(username, "check")):
        for attempt_time in attempts.values_list("attempt_time", flat=True):
            latest = attempt_time if latest is None else max(latest, attempt_time)
    return (latest or timezone.now()) + cool_off


def retry_after_seconds(until: datetime) -> int:
    return max(1, int((until - timezone.now()).total_seconds() + 0.999))


def locked_out_message(until: datetime) -> str:
    """The sentence that says when to try again, in the request's language."""
    local = timezone.localtime(until)
    return _(
        "Too many failed attempts. Try again after %(time)s (in about %(minutes)d minutes)."
    ) % {
        "time": date_format(local, "DATETIME_FORMAT"),
        "minutes": max(1, (retry_after_seconds(until) + 59) // 60),
    }


def locked_out_body(until: datetime) -> dict:
    """The API's error envelope for a lockout."""
    message = locked_out_message(until)
    return {
        "code": str(AccessErrorCode.LOCKED_OUT),
        "message": message,
        "fields": {},
        "detail": message,
        "retry_at": until.isoformat(),
    }


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After``; a page, or JSON under /api/."""
    username = (credentials or {}).get("username")
    until = retry_at(request, username=username)
    if request.path_info.startswith(API_PATH_PREFIX):
        response: HttpResponse = JsonResponse(
            locked_out_body(until), status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(
            request,
            "access/locked_out.html",
            {"message": locked_out_message(until), "retry_at": until},
            status=429,
        )
    response["Retry-After"] = str(retry_after_seconds(until))
    return response
