"""Re-authentication right before a signature: the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.test import Client
from rest_framework.test import APIClient

from access.reauth import AUTHENTICATED_WITH, IDENTITY_PROVIDER
from commitments.lifecycle.models import Commitment
from tests.factories import api_token_secret

START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
PASSWORD = "pw-12345678"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _status(draft: dict) -> str:
    return Commitment.objects.get(reference=draft["reference"]).status


def _page_client(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.applicant)
    return client


def test_a_fresh_login_signs_on_the_page(world, draft, clock):
    client = _page_client(world)

    client.post(f"/commitments/{draft['reference']}/sign/", {"confirm": "1"})

    assert _status(draft) != Commitment.Status.DRAFT


def test_an_old_login_is_asked_for_the_password_before_signing(world, draft, clock, settings):
    # given a login 16 minutes ago (the window is 15)
    settings.ACCESS_REAUTH_MINUTES = 15
    client = _page_client(world)
    clock.shift(dt.timedelta(minutes=16))
    detail = f"/commitments/{draft['reference']}/"

    # when the applicant signs, then they are sent to confirm it is them; nothing is signed
    refused = client.post(f"/commitments/{draft['reference']}/sign/", {"confirm": "1"})
    assert refused.status_code == 302
    assert refused["Location"] == f"/accounts/reauthenticate/?next={detail.replace('/', '%2F')}"
    assert _status(draft) == Commitment.Status.DRAFT

    # when a wrong password is given, then the form says so and counts the failure
    wrong = client.post(refused["Location"], {"password": "wrong", "next": detail})
    assert wrong.status_code == 400
    assert "The password is not correct." in wrong.content.decode()
    assert AccessFailureLog.objects.filter(username="applicant").count() == 1

    # when the right one is given, then back to the commitment, where signing now works
    confirmed = client.post(refused["Location"], {"password": PASSWORD, "next": detail})
    assert confirmed["Location"] == detail
    client.post(f"/commitments/{draft['reference']}/sign/", {"confirm": "1"})
    assert _status(draft) != Commitment.Status.DRAFT


def test_the_reauthentication_page_is_in_chinese(world, clock):
    client = _page_client(world)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    page = client.get("/accounts/reauthenticate/?next=/commitments/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "确认是您本人" in body
    assert "Confirm it is you" not in body


def test_an_identity_provider_session_goes_back_to_the_provider(world, draft, clock, settings):
    settings.ACCESS_IDENTITY_PROVIDER_REAUTH_URL = "/oidc/authenticate/"
    client = _page_client(world)
    session = client.session
    session[AUTHENTICATED_WITH] = IDENTITY_PROVIDER
    session.save()
    clock.shift(dt.timedelta(hours=1))

    refused = client.post(f"/commitments/{draft['reference']}/sign/", {"confirm": "1"})

    assert refused["Location"].startswith("/oidc/authenticate/?next=")


def test_a_token_signs_over_the_api_only_with_the_password(world, draft, clock):
    client = APIClient(headers={"accept-language": "en"})
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(world.applicant)}")
    url = f"/api/v1/commitments/{draft['reference']}/sign/"

    missing = client.post(url, {}, format="json")
    wrong = client.post(url, {"password": "wrong"}, format="json")
    unsigned = _status(draft)
    signed = client.post(url, {"password": PASSWORD}, format="json")

    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert missing.json()["code"] == "reauthentication_required"
    assert list(missing.json()["fields"]) == ["password"]
    assert wrong.json() == {
        "code": "reauthentication_failed",
        "message": "The password is not correct.",
        "fields": {"password": ["The password is not correct."]},
    }
    assert unsigned == Commitment.Status.DRAFT
    assert signed.status_code == 200, signed.content


def test_a_recent_session_signs_over_the_api_without_the_password(world, draft, clock):
    client = APIClient(headers={"accept-language": "en"})
    client.force_login(world.applicant)

    response = client.post(f"/api/v1/commitments/{draft['reference']}/sign/", {}, format="json")

    assert response.status_code == 200, response.content


def test_wrong_passwords_when_signing_lock_the_account_out(world, draft, clock):
    client = APIClient(headers={"accept-language": "en"})
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(world.applicant)}")
    url = f"/api/v1/commitments/{draft['reference']}/sign/"

    answers = [client.post(url, {"password": "wrong"}, format="json") for _n in range(5)]
    locked = client.post(url, {"password": PASSWORD}, format="json")

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert _status(draft) == Commitment.Status.DRAFT
