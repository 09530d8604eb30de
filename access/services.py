"""Writes of API tokens: issue, rotate, revoke, and the time a token was last used.

Every change is saved with its actor and reason (``directory.audit.audited_save``), so the
token's history says who issued, rotated or revoked it and when.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.errors import AccessError, AccessErrorCode
from access.models import ApiToken
from access.selectors import token_hash
from directory.audit import audited_save

SECRET_BYTES = 20  # 40 hexadecimal characters, as the keys issued before hashing


@dataclass(frozen=True)
class IssuedToken:
    """A token and its secret: the only moment the secret exists outside the caller."""

    token: ApiToken
    secret: str


def token_lifetime() -> timedelta:
    return timedelta(days=settings.ACCESS_TOKEN_DAYS)


def rotation_overlap() -> timedelta:
    return timedelta(hours=settings.ACCESS_TOKEN_ROTATION_OVERLAP_HOURS)


@transaction.atomic
def token_issue(
    *,
    user: AbstractBaseUser,
    name: str,
    by: AbstractBaseUser | None,
    expires_at: datetime | None = None,
    at: datetime | None = None,
    reason: str = "API token issued",
) -> IssuedToken:
    """Issue a token for ``user``; its secret is returned here and stored only as a digest."""
    at = at or timezone.now()
    if not user.is_active:
        raise AccessError(
            AccessErrorCode.INVALID,
            _("The account %(username)s is inactive; activate it first.")
            % {"username": user.get_username()},
            field="user",
        )
    if not name.strip():
        raise AccessError(
            AccessErrorCode.INVALID, _("Say what the token is for (its name)."), field="name"
        )
    expires_at = expires_at or at + token_lifetime()
    if expires_at <= at:
        raise AccessError(
            AccessErrorCode.INVALID, _("The expiry must be in the future."), field="expires_at"
        )
    secret = secrets.token_hex(SECRET_BYTES)
    token = ApiToken(
        name=name.strip(),
        user=user,
        prefix=secret[:8],
        key_hash=token_hash(secret),
        created_at=at,
        created_by=by,
        expires_at=expires_at,
    )
    audited_save(token, by=by, reason=reason)
    return IssuedToken(token=token, secret=secret)


def _locked(token: ApiToken) -> ApiToken:
    return ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)


@transaction.atomic
def token_rotate(
    *,
    token: ApiToken,
    by: AbstractBaseUser | None,
    overlap: timedelta | None = None,
    at: datetime | None = None,
) -> IssuedToken:
    """Issue the successor of a valid token; the old one stays valid for ``overlap`` only.

    The calling system deploys the new secret while the old one still works; after the
    overlap (``ACCESS_TOKEN_ROTATION_OVERLAP_HOURS`` by default) the old one is refused.
    """
    at = at or timezone.now()
    overlap = rotation_overlap() if overlap is None else overlap
    token = _locked(token)
    if not token.is_valid(at=at):
        raise AccessError(
            AccessErrorCode.INVALID_STATE,
            _("Only a valid token can be rotated; issue a new one instead."),
        )
    if token.replaced_by_id is not None:
        raise AccessError(AccessErrorCode.INVALID_STATE, _("This token has already been rotated."))
    successor = token_issue(
        user=token.user, name=token.name, by=by, at=at, reason="API token rotated (successor)"
    )
    token.replaced_by = successor.token
    token.expires_at = min(token.expires_at, at + overlap)
    if token.expires_at <= token.created_at:  # an overlap of zero ends it now
        token.expires_at = token.created_at + timedelta(microseconds=1)
    audited_save(token, by=by, reason=f"API token rotated; valid until {token.expires_at}")
    return successor


@transaction.atomic
def token_revoke(
    *, token: ApiToken, by: AbstractBaseUser | None, reason: str, at: datetime | None = None
) -> ApiToken:
    """Revoke a token: the next request that presents it is refused."""
    at = at or timezone.now()
    token = _locked(token)
    if token.revoked_at is not None:
        raise AccessError(AccessErrorCode.INVALID_STATE, _("This token is already revoked."))
    if not reason.strip():
        raise AccessError(
            AccessErrorCode.INVALID, _("Say why the token is revoked."), field="reason"
        )
    token.revoked_at = at
    token.revoked_by = by
    audited_save(token, by=by, reason=f"API token revoked: {reason.strip()}")
    return token


# Last use: written at most once a minute per token ------------------------------------------

_last_written: dict[str, datetime] = {}
_last_written_lock = threading.Lock()


def token_touch(*, key_hash: str, at: datetime) -> bool:
    """Record that the token with this digest was used at ``at``; True if a row was written.

    A request must not cost a write: this process remembers when it last wrote each token,
    and the ``UPDATE`` itself only changes a row whose last use is older than the interval
    (``ACCESS_TOKEN_LAST_USED_INTERVAL`` seconds), so several processes write it once too.
    """
    interval = timedelta(seconds=settings.ACCESS_TOKEN_LAST_USED_INTERVAL)
    with _last_written_lock:
        written = _last_written.get(key_hash)
        if written is not None and at - written < interval:
            return False
        _last_written[key_hash] = at
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=at - interval)
    return bool(ApiToken.objects.filter(stale, key_hash=key_hash).update(last_used_at=at))


def token_touch_forget() -> None:
    """Forget what this process wrote (tests that move the clock backwards need it)."""
    with _last_written_lock:
        _last_written.clear()
