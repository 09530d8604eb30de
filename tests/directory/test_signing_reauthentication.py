"""Signing after a fresh login at a real OpenID Connect provider (ADR 0022, 0034): the ID
token's ``auth_time`` must come after the press of *Sign*, and the sign form comes back filled
in as the person left it."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
import time_machine
from django.test import Client
from django.utils import timezone

from commitments.lifecycle.models import Commitment
from tests.directory.peers import ACCOUNTS, callback_path

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

ACCOUNT = "zhangsan"  # the legal representative of the world's subject


def _provider_login(client: Client, provider, browser: requests.Session, url: str) -> None:
    """The browser's trip from ``url`` on this site through the provider and back."""
    start = client.get(url)
    assert start.status_code == 302, start
    callback = provider.authorize(
        start["Location"],
        login=ACCOUNT,
        password=ACCOUNTS[ACCOUNT]["password"],
        browser=browser,
    )
    assert client.get(callback_path(callback)).status_code == 302


def _ignoring_prompt(url: str) -> str:
    """The authorization URL as a provider that ignores ``prompt=login`` and ``max_age=0``
    would treat it: answered from its own session."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("prompt", "max_age")]
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def signer(identity_provider, world, draft):
    """zhangsan, logged in through the provider (no password here), with a draft to sign."""
    client = Client(headers={"accept-language": "en"})
    browser = requests.Session()
    _provider_login(client, identity_provider, browser, "/accounts/oidc/login/")
    assert client.session["_auth_user_backend"] == "directory.oidc.IdentityProviderBackend"
    return client, browser, draft["reference"]


def _status(reference: str) -> str:
    return Commitment.objects.get(reference=reference).status


def test_a_fresh_login_at_the_provider_signs_and_the_form_comes_back_ticked(
    identity_provider, signer
):
    client, browser, reference = signer
    detail = f"/commitments/{reference}/"

    # when they tick the liability box and press Sign: off to the provider, with prompt=login
    pressed = client.post(f"{detail}sign/", {"confirm": "on"})
    assert pressed["Location"].startswith("/accounts/oidc/login/?reauthenticate=1")
    authorization = client.get(pressed["Location"])["Location"]
    assert ("prompt", "login") in parse_qsl(urlsplit(authorization).query)
    assert ("max_age", "0") in parse_qsl(urlsplit(authorization).query)
    callback = identity_provider.authorize(
        authorization, login=ACCOUNT, password=ACCOUNTS[ACCOUNT]["password"], browser=browser
    )
    back = client.get(callback_path(callback))

    # then the page says they logged in again and the box is still ticked
    assert back["Location"] == detail
    page = client.get(detail).content.decode()
    assert 'data-testid="signing-proven"' in page
    assert 'data-testid="confirm-liability" checked' in page
    assert _status(reference) == Commitment.Status.DRAFT

    client.post(f"{detail}sign/", {"confirm": "on"})
    assert _status(reference) != Commitment.Status.DRAFT


def test_a_provider_answering_from_its_session_proves_nothing(identity_provider, signer, caplog):
    client, browser, reference = signer
    detail = f"/commitments/{reference}/"
    later = timezone.now() + timedelta(minutes=5)

    # five minutes after the first login, they press Sign; the provider ignores prompt=login
    # and answers from its session, with the first login's auth_time
    with time_machine.travel(later, tick=True), caplog.at_level(logging.WARNING):
        pressed = client.post(f"{detail}sign/", {"confirm": "on"})
        authorization = client.get(pressed["Location"])["Location"]
        callback = identity_provider.authorize(
            _ignoring_prompt(authorization),
            login=ACCOUNT,
            password=ACCOUNTS[ACCOUNT]["password"],
            browser=browser,
        )
        client.get(callback_path(callback))
        page = client.get(detail).content.decode()
        again = client.post(f"{detail}sign/", {"confirm": "on"})

    # then the page says why nothing proves the signer, keeps the box ticked, signs nothing
    assert 'data-testid="signing-stale"' in page
    assert "did not ask you to log in again" in page
    assert 'data-testid="signing-proven"' not in page
    assert 'data-testid="confirm-liability" checked' in page
    assert _status(reference) == Commitment.Status.DRAFT
    refusal = next(r for r in caplog.records if getattr(r, "reason", "") == "stale_auth_time")
    assert refusal.purpose == f"commitment:{reference}"
    # and the next press goes back to the provider for a real login
    assert again["Location"].startswith("/accounts/oidc/login/?reauthenticate=1")
    assert _status(reference) == Commitment.Status.DRAFT
