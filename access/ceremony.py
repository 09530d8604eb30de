"""The signing ceremony's proof: the signer proves who they are at the moment of signing.

A signature binds a company, so a recent login is not enough (ADR 0022). Each signature (or
each batch of signatures) needs a proof made for it and used once:

- **a password** sent with the signing request itself (the page's sign form, or the API's
  ``password``), checked like a login: a wrong one counts towards the lockout;
- for a person without a password (identity provider only), **a fresh login at the provider**
  (``prompt=login``, ``max_age=0``) started by the press of *Sign* for that one signature
  (``provider_proof_begin``): the provider's callback marks the waiting proof as made
  (``provider_proof_record``) if the ID token's ``auth_time`` is not older than the press of
  *Sign* (a provider that answered from its own session is refused, with the reason), and the
  next sign request for the same purpose uses it within ``ACCESS_SIGNING_PROOF_MINUTES``, once.
  Another tab, another document or a second press finds no proof and is asked again. What the
  person had filled in on the sign form travels with the waiting proof and fills the form
  again when they come back (``signing_form_returned``).

A refusal raises ``AccessError`` (nothing is signed) and is written to the ``access.ceremony``
log with the user, the purpose, the reason and the address; wrong passwords are also in the
lockout's audit rows.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from access.errors import AccessError, AccessErrorCode
from access.reauth import IDENTITY_PROVIDER, PASSWORD, password_confirm
from directory.oidc import AUTH_TIME_ATTRIBUTE, identity_login_renewed

logger = logging.getLogger("access.ceremony")

PROOFS = "access.signing_proofs"
# Waiting proofs older than this are dropped from the session (a login never completed).
_ABANDONED = timedelta(hours=1)
# What of a sign form travels with the waiting proof: never the password or the CSRF token,
# and only a few short fields (the session is no file store).
_NOT_KEPT = {"password", "csrfmiddlewaretoken"}
_FORM_LIMIT = 8000


def signing_purpose(kind: str, *keys: str) -> str:
    """What one proof is for: ``commitment:CN…``, or a batch's sorted references."""
    return f"{kind}:{','.join(sorted(keys))}"


def signs_with_password(user: AbstractBaseUser) -> bool:
    """Whether this person proves who they are with a password (else at the provider)."""
    return user.has_usable_password()


def provider_available() -> bool:
    return bool(settings.ACCESS_IDENTITY_PROVIDER_REAUTH_URL)


def _proofs(request: HttpRequest) -> dict:
    return dict(request.session.get(PROOFS, {}))


def _save(request: HttpRequest, proofs: dict, *, at: datetime) -> None:
    horizon = (at - _ABANDONED).timestamp()
    request.session[PROOFS] = {k: v for k, v in proofs.items() if v["started"] >= horizon}


def _form_kept(form) -> dict[str, list[str]]:
    """The sign form's fields to restore after the provider's round trip (files cannot travel:
    the page asks for them again)."""
    if form is None:
        return {}
    kept, size = {}, 0
    for key in form:
        if key in _NOT_KEPT:
            continue
        values = [str(value) for value in form.getlist(key)]
        size += len(key) + sum(len(value) for value in values)
        if size > _FORM_LIMIT:
            break
        kept[key] = values
    return kept


def provider_proof_begin(request: HttpRequest, *, purpose: str, next_url: str, form=None) -> str:
    """Start a fresh provider login for this one signature; the URL to send the browser to.

    ``form`` (the sign form's POST) is kept with the waiting proof, so the page can show it
    filled in again when the person comes back."""
    at = timezone.now()
    proofs = _proofs(request)
    proofs[purpose] = {
        "started": at.timestamp(),
        "proven": None,
        "stale": None,
        "form": _form_kept(form),
    }
    _save(request, proofs, at=at)
    provider = settings.ACCESS_IDENTITY_PROVIDER_REAUTH_URL
    separator = "&" if "?" in provider else "?"
    return f"{provider}{separator}{urlencode({'next': next_url})}"


@receiver(user_logged_in, dispatch_uid="access.provider_proof_recorded")
@receiver(identity_login_renewed, dispatch_uid="access.provider_proof_renewed")
def provider_proof_recorded(sender, request, user, **kwargs) -> None:
    """A login through the identity provider's backend (a new one, or the same person's again:
    ``identity_login_renewed``) makes the signatures waiting for it, if the person
    authenticated at the provider after pressing *Sign* (the ID token's
    ``auth_time``, which the backend leaves on the user)."""
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "backend", "") in settings.ACCESS_IDENTITY_PROVIDER_BACKENDS:
        provider_proof_record(
            request,
            at=timezone.now(),
            auth_time=getattr(user, AUTH_TIME_ATTRIBUTE, None),
            user=user,
        )


def provider_proof_record(
    request: HttpRequest,
    *,
    at: datetime,
    auth_time: datetime | None,
    user: AbstractBaseUser | None = None,
) -> None:
    """The provider's callback logged the person in at ``at``, saying they authenticated at
    ``auth_time``. Every waiting proof started before that authentication (less the clock
    skew) is made, at ``auth_time``; a proof started after it is marked stale: the provider
    answered from its own session instead of asking for a login (``prompt=login``,
    ``max_age=0`` were ignored), and no new login was seen. A token without ``auth_time``
    (which OpenID Connect requires when ``max_age`` is asked) proves nothing either."""
    proofs = _proofs(request)
    if not proofs:
        return
    skew = timedelta(seconds=settings.CHENGNUO_OIDC_CLOCK_SKEW)
    moment = at.timestamp()
    for purpose, proof in proofs.items():
        if proof["proven"] is not None or proof["started"] > moment:
            continue
        started = datetime.fromtimestamp(proof["started"], tz=UTC)
        if auth_time is None or auth_time < started - skew:
            proof["stale"] = auth_time.timestamp() if auth_time is not None else 0
            logger.warning(
                "signing refused: %s",
                AccessErrorCode.REAUTHENTICATION_FAILED,
                extra={
                    "user_id": getattr(user, "pk", None),
                    "username": user.get_username() if user is not None else "",
                    "purpose": purpose,
                    "reason": "stale_auth_time",
                    "auth_time": auth_time.isoformat() if auth_time else None,
                    "started": started.isoformat(),
                    "address": request.META.get("REMOTE_ADDR", ""),
                },
            )
        else:
            proof["proven"] = min(auth_time, at).timestamp()
            proof["stale"] = None
    _save(request, proofs, at=at)


def signing_form_returned(request: HttpRequest, *, purpose: str) -> dict[str, list[str]]:
    """What the person had filled in on the sign form before the provider's round trip
    (field → values; empty when there was none). Read, not consumed: the proof's use or
    refusal drops it."""
    proof = _proofs(request).get(purpose)
    return dict(proof.get("form") or {}) if proof else {}


def provider_stale_at(request: HttpRequest, *, purpose: str) -> datetime | None | bool:
    """The stale authentication time the provider answered with for this purpose (``True``
    when it gave none), or None when the proof is not stale."""
    proof = _proofs(request).get(purpose)
    if not proof or proof.get("stale") is None:
        return None
    return datetime.fromtimestamp(proof["stale"], tz=UTC) if proof["stale"] else True


def provider_proven_at(request: HttpRequest, *, purpose: str) -> datetime | None:
    """When a provider proof for this purpose was made and is still usable (for the page)."""
    proof = _proofs(request).get(purpose)
    if not proof or proof["proven"] is None:
        return None
    proven = datetime.fromtimestamp(proof["proven"], tz=UTC)
    if timezone.now() - proven > timedelta(minutes=settings.ACCESS_SIGNING_PROOF_MINUTES):
        return None
    return proven


def _provider_proof_use(request: HttpRequest, *, purpose: str, at: datetime) -> bool:
    proofs = _proofs(request)
    proof = proofs.pop(purpose, None)
    if proof is None:
        return False
    _save(request, proofs, at=at)  # used or not, it is gone: one proof, one attempt
    if proof["proven"] is None:
        return False
    age = at - datetime.fromtimestamp(proof["proven"], tz=UTC)
    return timedelta(0) <= age <= timedelta(minutes=settings.ACCESS_SIGNING_PROOF_MINUTES)


def _refuse(request, *, user, purpose: str, code: AccessErrorCode, message: str) -> AccessError:
    logger.warning(
        "signing refused: %s",
        code,
        extra={
            "user_id": user.pk,
            "username": user.get_username(),
            "purpose": purpose,
            "reason": str(code),
            "address": request.META.get("REMOTE_ADDR", ""),
        },
    )
    return AccessError(code, message, field="password")


def signing_proof(
    request: HttpRequest,
    *,
    user: AbstractBaseUser,
    password: str,
    purpose: str,
    by_session: bool,
    at: datetime | None = None,
) -> str:
    """Refuse a signature without its own proof; the method that proved it otherwise.

    A password is checked like a login (a wrong one counts towards the lockout; a locked-out
    account or address is refused whatever it sends). Without one, a session whose person has
    no password may use a provider proof made for this purpose (once). A token always sends
    the password: a token proves a system or a script, not the person about to bind a company.
    """
    at = at or timezone.now()
    if password:
        if password_confirm(request, user=user, password=password, remember=False):
            return PASSWORD
        raise _refuse(
            request,
            user=user,
            purpose=purpose,
            code=AccessErrorCode.REAUTHENTICATION_FAILED,
            message=_("The password is not correct."),
        )
    if (
        by_session
        and not signs_with_password(user)
        and _provider_proof_use(request, purpose=purpose, at=at)
    ):
        return IDENTITY_PROVIDER
    if signs_with_password(user) or not by_session:
        message = _(
            "Enter your password to sign: each signature needs its own proof of who you are."
        )
    else:
        message = _(
            "Log in again at your identity provider to sign: each signature needs its own "
            "proof of who you are."
        )
    raise _refuse(
        request,
        user=user,
        purpose=purpose,
        code=AccessErrorCode.REAUTHENTICATION_REQUIRED,
        message=message,
    )


def signing_proof_for_page(request: HttpRequest, *, purpose: str, next_url: str):
    """A sign form's proof: None once proven; for a person without a password and no proof
    yet, the redirect to the provider (back to ``next_url``, to press *Sign* again); otherwise
    ``AccessError`` with the reason for the page to show (nothing is signed)."""
    try:
        signing_proof(
            request,
            user=request.user,
            password=request.POST.get("password", ""),
            purpose=purpose,
            by_session=True,
        )
    except AccessError as error:
        if (
            error.code == AccessErrorCode.REAUTHENTICATION_REQUIRED
            and not signs_with_password(request.user)
            and provider_available()
        ):
            return redirect(
                provider_proof_begin(request, purpose=purpose, next_url=next_url, form=request.POST)
            )
        raise
    return None


def signing_proof_context(request: HttpRequest, *, purpose: str) -> dict:
    """What the sign form needs to ask for the proof (``access/_signing_proof.html``)."""
    stale = provider_stale_at(request, purpose=purpose)
    form = signing_form_returned(request, purpose=purpose)
    return {
        "signing_proof": {
            "password": signs_with_password(request.user),
            "provider": provider_available(),
            "proven_at": provider_proven_at(request, purpose=purpose),
            "stale": stale is not None,
            "stale_at": stale if isinstance(stale, datetime) else None,
            "minutes": settings.ACCESS_SIGNING_PROOF_MINUTES,
            # what the person had filled in before the provider's round trip, to fill in again
            "form": {
                key: values[0] if len(values) == 1 else values for key, values in form.items()
            },
        }
    }
