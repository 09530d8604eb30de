"""The identity provider's claims and tokens, checked without a provider: what is refused and
why, the claim mapping, and that the whole feature stays off unless configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from directory import oidc
from directory.errors import DirectoryError

ISSUER = "https://idp.example.gov.cn"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def configured(settings):
    settings.CHENGNUO_OIDC_ENABLED = True
    settings.CHENGNUO_OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "chengnuo"
    settings.CHENGNUO_OIDC_CLAIMS = {
        "subject_code": "tyshxydm",
        "subject_name": "qymc",
        "role": "sf",
        "person_name": "xm",
    }
    settings.CHENGNUO_OIDC_ROLES = {"legal_representative": ["1"], "agent": ["2"]}
    settings.CHENGNUO_OIDC_TOKEN_MAX_AGE = 600
    settings.CHENGNUO_OIDC_CLOCK_SKEW = 60
    return settings


def token(**changes) -> dict:
    claims = {
        "iss": ISSUER,
        "aud": "chengnuo",
        "sub": "person-1",
        "iat": int(NOW.timestamp()) - 5,
        "exp": int(NOW.timestamp()) + 3600,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def refusal_of(claims: dict) -> str:
    with pytest.raises(DirectoryError) as caught:
        oidc.token_claims_check(claims, now=NOW)
    return caught.value.message


def test_the_claims_are_read_through_the_configured_mapping(configured, english):
    identity = oidc.claims_read(
        {"sub": "p1", "tyshxydm": "914403001922038216", "qymc": "示例", "sf": "2", "xm": "李四"},
        issuer=ISSUER,
    )

    assert identity == oidc.IdentityClaims(
        issuer=ISSUER,
        subject_identifier="p1",
        person_name="李四",
        subject_code="914403001922038216",
        subject_name="示例",
        role="agent",
    )


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (
            {"sub": "p1", "qymc": "示例", "sf": "1", "xm": "张三"},
            "The identity platform did not send the claim “tyshxydm” (the subject's unified "
            "social credit code).",
        ),
        (
            {"sub": "p1", "tyshxydm": "914403001922038217", "qymc": "示例", "sf": "1", "xm": "张"},
            "The identity platform's subject code 914403001922038217 is not a valid unified "
            "social credit code.",
        ),
        (
            {"sub": "p1", "tyshxydm": "914403001922038216", "qymc": "示例", "sf": "9", "xm": "张"},
            "The identity platform's role “9” is neither a legal representative nor an agent.",
        ),
    ],
)
def test_missing_or_invalid_claims_are_refused(configured, english, claims, message):
    with pytest.raises(DirectoryError) as caught:
        oidc.claims_read(claims, issuer=ISSUER)

    assert caught.value.message == message
    assert caught.value.code == "identity_claims_invalid"


def test_a_fresh_token_for_this_client_passes(configured):
    oidc.token_claims_check(token(), now=NOW)
    oidc.token_claims_check(token(aud=["chengnuo", "api"], azp="chengnuo"), now=NOW)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"iss": "https://other-idp.example"},
            "The token was issued by https://other-idp.example, not by the configured "
            "identity platform.",
        ),
        (
            {"aud": "other-app"},
            "The identity platform's token was issued to another application (other-app), "
            "not to this one.",
        ),
        (
            {"aud": ["chengnuo", "other-app"], "azp": "other-app"},
            "The identity platform's token was issued to another application (other-app), "
            "not to this one.",
        ),
        (
            {"aud": ["chengnuo", "other-app"]},
            "The identity platform's token was issued to another application (?), not to this one.",
        ),
        (
            {"exp": None},
            "The identity platform's token does not say when it was issued and when it expires.",
        ),
        (
            {"iat": None},
            "The identity platform's token does not say when it was issued and when it expires.",
        ),
        (
            {"iat": int(NOW.timestamp()) - 7200, "exp": int(NOW.timestamp()) - 3600},
            "The identity platform's token expired at 2026-12-07 16:00:00. Log in again.",
        ),
        (
            {"iat": int(NOW.timestamp()) + 300},
            "The identity platform's token is dated in the future; the clocks of the two "
            "systems differ.",
        ),
        (
            {"nbf": int(NOW.timestamp()) + 300},
            "The identity platform's token is dated in the future; the clocks of the two "
            "systems differ.",
        ),
        (
            {"iat": int(NOW.timestamp()) - 1800},
            "The identity platform's token was issued too long ago (2026-12-07 16:30:00). "
            "Log in again.",
        ),
    ],
)
def test_tokens_from_elsewhere_for_others_or_out_of_time_are_refused(
    configured, english, changes, message
):
    assert refusal_of(token(**changes)) == message


def test_the_clock_skew_is_allowed_either_way(configured):
    oidc.token_claims_check(token(exp=int(NOW.timestamp()) - 30), now=NOW)
    oidc.token_claims_check(token(iat=int(NOW.timestamp()) + 30), now=NOW)


def test_refusals_are_translated(configured):
    assert refusal_of(token(aud="other-app")) == (
        "统一身份认证平台的令牌是签发给其他应用（other-app）的，不是签发给本系统的。"
    )


def test_the_identity_provider_is_off_unless_configured(db):
    client = Client()

    login_page = client.get(reverse("login")).content.decode()

    assert not oidc.is_configured()
    assert "identity-provider-login" not in login_page
    assert client.get(reverse("oidc:login")).status_code == 404
    assert client.get(reverse("oidc:callback") + "?code=a&state=b").status_code == 404


def test_the_backend_does_nothing_unless_configured(rf, db):
    request = rf.get("/accounts/oidc/callback/?code=a&state=b")

    assert oidc.IdentityProviderBackend().authenticate(request, nonce="n") is None


CLIENT_SECRET = "a-client-secret-of-at-least-32-bytes"
PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def backend(configured):
    configured.OIDC_RP_IDP_SIGN_KEY = (
        PROVIDER_KEY.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    configured.OIDC_RP_SIGN_ALGO = "RS256"
    configured.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    with time_machine.travel(NOW, tick=False):
        yield oidc.IdentityProviderBackend()


def verification_refusal(backend, token: str, *, nonce: str = "n-1") -> str:
    with pytest.raises(DirectoryError) as caught:
        backend.verify_token(token, nonce=nonce)
    return caught.value.message


def test_a_signed_token_with_this_logins_nonce_is_verified(backend):
    claims = backend.verify_token(
        jwt.encode(token(nonce="n-1"), PROVIDER_KEY, algorithm="RS256"), nonce="n-1"
    )

    assert claims["sub"] == "person-1"


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        (
            jwt.encode(token(nonce="n-0"), PROVIDER_KEY, algorithm="RS256"),
            "The identity platform's token does not belong to this login (its nonce differs). "
            "Start again from the login page.",
        ),
        (
            jwt.encode(token(nonce="n-1"), CLIENT_SECRET, algorithm="HS256"),
            "The identity platform's token is signed with an algorithm this site does not accept.",
        ),
        (
            jwt.encode(token(nonce="n-1"), None, algorithm="none"),
            "The identity platform's token is signed with an algorithm this site does not accept.",
        ),
        (
            jwt.encode(
                token(nonce="n-1"),
                rsa.generate_private_key(public_exponent=65537, key_size=2048),
                algorithm="RS256",
            ),
            "The identity platform's token signature does not verify: it was not issued by the "
            "configured identity platform, or it was altered.",
        ),
        (
            "not-a-token",
            "The identity platform's token signature does not verify: it was not issued by the "
            "configured identity platform, or it was altered.",
        ),
    ],
)
def test_a_token_with_another_nonce_algorithm_or_key_is_refused(backend, english, encoded, message):
    assert verification_refusal(backend, encoded) == message


def test_configuring_the_provider_keeps_the_lockout_backend_first():
    # given the environment of a site that logs in through an identity provider
    issuer = "https://idp.example.gov.cn"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CHENGNUO_OIDC_ISSUER": issuer,
        "CHENGNUO_OIDC_CLIENT_ID": "chengnuo",
        "CHENGNUO_OIDC_CLIENT_SECRET": "not-a-real-secret",
        "CHENGNUO_OIDC_AUTHORIZATION_ENDPOINT": f"{issuer}/auth",
        "CHENGNUO_OIDC_TOKEN_ENDPOINT": f"{issuer}/token",
        "CHENGNUO_OIDC_JWKS_ENDPOINT": f"{issuer}/jwks",
    }
    # when the settings are read
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.AUTHENTICATION_BACKENDS, s.ACCESS_IDENTITY_PROVIDER_BACKENDS,"
            " s.ACCESS_IDENTITY_PROVIDER_REAUTH_URL]))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    backends, provider_backends, reauth_url = json.loads(printed)
    # then a locked-out client is refused before any backend, the provider's included
    assert backends == [
        "access.lockout.LockoutBackend",
        "django.contrib.auth.backends.ModelBackend",
        "directory.oidc.IdentityProviderBackend",
    ]
    # and its sessions prove themselves again at the provider before signing
    assert provider_backends == ["directory.oidc.IdentityProviderBackend"]
    assert reauth_url == "/accounts/oidc/login/?reauthenticate=1"
