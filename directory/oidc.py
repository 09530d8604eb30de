"""Logging in through an identity provider over OpenID Connect, and what its claims prove.

A provincial unified identity platform (or the electronic business licence's) vouches for a
person and for the company they act for. ``IdentityProviderBackend`` runs the authorization
code flow through mozilla-django-oidc and verifies the ID token itself: the library checks the
signature, the algorithm and the nonce, but not the audience (it decodes with
``verify_aud=False``), the issuer, the authorised party, nor that ``exp`` and ``iat`` are
present, and a token past its ``exp`` escapes it as an unhandled error. This backend checks all
of them and answers every refusal with a ``DirectoryError`` that names the reason.

The user is found by the provider's (issuer, ``sub``) pair (``ExternalIdentity``), never by an
e-mail address. The claims named by ``CHENGNUO_OIDC_CLAIMS`` (subject code, subject name, role,
person's name) then prove the user's representation of the subject
(``representation_from_identity``), with the verified claims as evidence.

Failed logins are announced by ``identity_login_failed`` (and Django's ``user_login_failed``),
so brute-force protection can count them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from directory import services
from directory.errors import DirectoryError, DirectoryErrorCode
from directory.identifiers import IdentifierKind, check_identifier
from directory.inputs import normalise_text
from directory.representation.models import Representation
from directory.representation.services import representation_prove

# Sent when a login through the identity provider is refused (bad token, replayed state,
# missing claims, provider refusal): ``request`` and ``error`` (a DirectoryError). The hook
# for brute-force protection of the callback.
identity_login_failed = Signal()
# Sent when the person already logged in logged in again at the provider (``request``,
# ``user``): no new session, so Django's ``user_logged_in`` is not sent (ADR 0034).
identity_login_renewed = Signal()

# The user object a provider login returns carries, under this attribute, when the person
# authenticated at the provider (the ID token's ``auth_time``, None without one): the signing
# ceremony compares it with the moment *Sign* was pressed.
AUTH_TIME_ATTRIBUTE = "identity_provider_auth_time"


def is_configured() -> bool:
    """Whether logging in through the identity provider is configured (off by default)."""
    return bool(getattr(settings, "CHENGNUO_OIDC_ENABLED", False))


def refusal(code: DirectoryErrorCode, message: str) -> DirectoryError:
    return DirectoryError(code, message, field="identity_provider")


@dataclass(frozen=True)
class IdentityClaims:
    """What the provider vouches for, read through the configured claim mapping."""

    issuer: str
    subject_identifier: str
    person_name: str
    subject_code: str
    subject_name: str
    role: str  # "legal_representative" or "agent"


def claims_read(claims: dict, *, issuer: str) -> IdentityClaims:
    """Read the mapped claims, refusing a missing claim, an invalid code or an unknown role."""
    mapping = settings.CHENGNUO_OIDC_CLAIMS
    values = {}
    for meaning in ("subject_code", "subject_name", "role", "person_name"):
        name = mapping[meaning]
        value = claims.get(name)
        value = normalise_text(str(value)) if isinstance(value, str | int) else ""
        if not value:
            raise refusal(
                DirectoryErrorCode.IDENTITY_CLAIMS_INVALID,
                _("The identity platform did not send the claim “%(claim)s” (%(meaning)s).")
                % {"claim": name, "meaning": _claim_meaning(meaning)},
            )
        values[meaning] = value
    check = check_identifier(IdentifierKind.USCC, values["subject_code"])
    if check.problem is not None:
        raise refusal(
            DirectoryErrorCode.IDENTITY_CLAIMS_INVALID,
            _(
                "The identity platform's subject code %(code)s is not a valid unified social "
                "credit code."
            )
            % {"code": values["subject_code"]},
        )
    role = next(
        (
            role
            for role, accepted in settings.CHENGNUO_OIDC_ROLES.items()
            if values["role"] in accepted
        ),
        None,
    )
    if role is None:
        raise refusal(
            DirectoryErrorCode.IDENTITY_CLAIMS_INVALID,
            _(
                "The identity platform's role “%(role)s” is neither a legal representative nor "
                "an agent."
            )
            % {"role": values["role"]},
        )
    return IdentityClaims(
        issuer=issuer,
        subject_identifier=str(claims["sub"]),
        person_name=values["person_name"],
        subject_code=check.value,
        subject_name=values["subject_name"],
        role=role,
    )


def _claim_meaning(meaning: str) -> str:
    return {
        "subject_code": _("the subject's unified social credit code"),
        "subject_name": _("the subject's name"),
        "role": _("the role for the subject"),
        "person_name": _("the person's name"),
    }[meaning]


def representation_from_identity(
    *, user: AbstractBaseUser, identity: IdentityClaims, evidence: dict
) -> Representation:
    """Record that the identity provider proved ``user`` acts for the claimed subject."""
    return representation_prove(
        user=user,
        code=identity.subject_code,
        name=identity.subject_name,
        role=identity.role,
        method=Representation.Method.IDENTITY_PROVIDER,
        evidence=evidence,
        by=user,
    )


class IdentityProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the checks it leaves out, matching by (issuer, sub)."""

    def authenticate(self, request, **kwargs):
        if not is_configured():
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload):
        try:
            return super().get_token(payload)
        except requests.HTTPError as error:
            reason = _provider_error(error.response)
            raise refusal(
                DirectoryErrorCode.IDENTITY_PROVIDER_REFUSED,
                _(
                    "The identity platform refused to complete the login (%(reason)s). Start "
                    "again from the login page."
                )
                % {"reason": reason},
            ) from error
        except requests.RequestException as error:
            raise _unreachable() from error

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except requests.RequestException as error:
            raise _unreachable() from error
        except (SuspiciousOperation, KeyError, jwt.PyJWTError) as error:
            raise _forged() from error

    def verify_token(self, token, **kwargs):
        """Verify the ID token's signature and claims, and that it carries this login's nonce.

        Replaces the library's, which hands its refusals over as ``SuspiciousOperation``s that
        differ only in their English text and would also accept an unsigned token when
        ``OIDC_ALLOW_UNSECURED_JWT`` is on.
        """
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError as error:
            raise _forged() from error
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise refusal(
                DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
                _(
                    "The identity platform's token is signed with an algorithm this site does "
                    "not accept."
                ),
            )
        if algorithm.startswith(("RS", "ES", "PS")):
            key = self.OIDC_RP_IDP_SIGN_KEY or self.retrieve_matching_jwk(token)
        else:
            key = self.OIDC_RP_CLIENT_SECRET
        claims = self._verify_jws(token, key)
        if claims.get("nonce") != kwargs.get("nonce"):
            raise refusal(
                DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
                _(
                    "The identity platform's token does not belong to this login (its nonce "
                    "differs). Start again from the login page."
                ),
            )
        return claims

    def _verify_jws(self, payload, key):
        """Verify the signature, then the issuer, audience, authorised party and times."""
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                options={
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as error:
            raise _forged() from error
        token_claims_check(claims, now=timezone.now())
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's when it is configured.

        The signed ID token wins where both carry a claim; userinfo about another ``sub`` is
        refused (OpenID Connect Core 5.3.2).
        """
        if not self.OIDC_OP_USER_ENDPOINT:
            return dict(payload)
        try:
            userinfo = super().get_userinfo(access_token, id_token, payload)
        except requests.RequestException as error:
            raise _unreachable() from error
        if str(userinfo.get("sub")) != str(payload["sub"]):
            raise refusal(
                DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
                _(
                    "The identity platform's user information is about another person than its "
                    "token."
                ),
            )
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        """Find or create the user of (issuer, sub) and prove their representation, at once."""
        claims = self.get_userinfo(access_token, id_token, payload)
        identity = claims_read(claims, issuer=settings.CHENGNUO_OIDC_ISSUER)
        now = timezone.now()
        with transaction.atomic():
            user = services.external_identity_login(
                issuer=identity.issuer,
                subject_identifier=identity.subject_identifier,
                person_name=identity.person_name,
                now=now,
            )
            representation_from_identity(
                user=user,
                identity=identity,
                evidence=identity_evidence(identity, claims=claims, id_token=id_token, now=now),
            )
        setattr(user, AUTH_TIME_ATTRIBUTE, _moment(payload.get("auth_time")))
        return user


def token_claims_check(claims: dict, *, now: datetime) -> None:
    """Refuse an ID token from another issuer, for another client, expired or stale.

    ``exp`` and ``iat`` must be present; ``iat`` may lie at most the clock skew ahead and
    ``CHENGNUO_OIDC_TOKEN_MAX_AGE`` behind ``now``; ``nbf``, when present, must have passed.
    """
    issuer = settings.CHENGNUO_OIDC_ISSUER
    client_id = settings.OIDC_RP_CLIENT_ID
    skew = timedelta(seconds=settings.CHENGNUO_OIDC_CLOCK_SKEW)
    if claims.get("iss") != issuer:
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _("The token was issued by %(issuer)s, not by the configured identity platform.")
            % {"issuer": claims.get("iss") or "?"},
        )
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _(
                "The identity platform's token was issued to another application (%(audience)s), "
                "not to this one."
            )
            % {"audience": ", ".join(map(str, audiences)) or "?"},
        )
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _(
                "The identity platform's token was issued to another application (%(audience)s), "
                "not to this one."
            )
            % {"audience": claims.get("azp") or "?"},
        )
    if not claims.get("sub"):
        raise _forged()
    expires_at, issued_at = _moment(claims.get("exp")), _moment(claims.get("iat"))
    if expires_at is None or issued_at is None:
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _("The identity platform's token does not say when it was issued and when it expires."),
        )
    if expires_at <= now - skew:
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _("The identity platform's token expired at %(moment)s. Log in again.")
            % {"moment": timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M:%S")},
        )
    not_before = _moment(claims.get("nbf"))
    if issued_at > now + skew or (not_before is not None and not_before > now + skew):
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _(
                "The identity platform's token is dated in the future; the clocks of the two "
                "systems differ."
            ),
        )
    if issued_at < now - skew - timedelta(seconds=settings.CHENGNUO_OIDC_TOKEN_MAX_AGE):
        raise refusal(
            DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
            _("The identity platform's token was issued too long ago (%(moment)s). Log in again.")
            % {"moment": timezone.localtime(issued_at).strftime("%Y-%m-%d %H:%M:%S")},
        )


def identity_evidence(
    identity: IdentityClaims, *, claims: dict, id_token: str, now: datetime
) -> dict:
    """The verified claims as evidence: who vouched, for what, when, and the signed token."""
    return {
        "method": Representation.Method.IDENTITY_PROVIDER.value,
        "issuer": identity.issuer,
        "subject_identifier": identity.subject_identifier,
        "claims": {key: value for key, value in claims.items() if key != "nonce"},
        "claim_mapping": dict(settings.CHENGNUO_OIDC_CLAIMS),
        "id_token": id_token,
        "id_token_sha256": hashlib.sha256(id_token.encode()).hexdigest(),
        "verified_at": now.isoformat(),
    }


def _moment(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _provider_error(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("error_description") or body.get("error") or response.status_code)


def _forged() -> DirectoryError:
    return refusal(
        DirectoryErrorCode.IDENTITY_TOKEN_INVALID,
        _(
            "The identity platform's token signature does not verify: it was not issued by the "
            "configured identity platform, or it was altered."
        ),
    )


def _unreachable() -> DirectoryError:
    return refusal(
        DirectoryErrorCode.IDENTITY_PROVIDER_UNAVAILABLE,
        _("The identity platform did not answer. Try again later."),
    )
