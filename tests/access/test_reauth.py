"""The signing ceremony's proof (access.ceremony): one proof per signature, page and API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from access.reauth import AUTHENTICATED_WITH, IDENTITY_PROVIDER
from commitments.lifecycle.models import Commitment
from directory.oidc import AUTH_TIME_ATTRIBUTE
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


def test_a_fresh_login_still_types_the_password_to_sign(world, draft, clock):
    # given a login a second ago: no window lets the page sign without its own proof
    client = _page_client(world)
    detail = f"/commitments/{draft['reference']}/"

    refused = client.post(f"/commitments/{draft['reference']}/sign/", {"confirm": "1"})

    assert refused["Location"] == detail
    assert _status(draft) == Commitment.Status.DRAFT
    shown = client.get(detail).content.decode()
    assert "each signature needs its own proof of who you are" in shown

    client.post(f"/commitments/{draft['reference']}/sign/", {"confirm": "1", "password": PASSWORD})
    assert _status(draft) != Commitment.Status.DRAFT


def test_a_wrong_password_signs_nothing_and_counts_towards_the_lockout(world, draft, clock, caplog):
    client = _page_client(world)

    refused = client.post(
        f"/commitments/{draft['reference']}/sign/", {"confirm": "1", "password": "wrong"}
    )

    assert refused.status_code == 302
    assert _status(draft) == Commitment.Status.DRAFT
    assert AccessFailureLog.objects.filter(username="applicant").count() == 1
    refusal = next(r for r in caplog.records if r.name == "access.ceremony")
    assert (refusal.username, refusal.purpose, refusal.reason) == (
        "applicant",
        f"commitment:{draft['reference']}",
        "reauthentication_failed",
    )


def test_the_sign_form_shows_the_document_and_asks_for_the_password(world, draft, clock):
    page = _page_client(world).get(f"/commitments/{draft['reference']}/").content.decode()

    assert 'data-testid="commitment-text"' in page
    assert 'name="password" id="signing-password"' in page


def test_the_reauthentication_page_is_in_chinese(world, clock):
    client = _page_client(world)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    page = client.get("/accounts/reauthenticate/?next=/commitments/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "确认是您本人" in body
    assert "Confirm it is you" not in body


def _provider_client(world, settings) -> Client:
    """A person without a password, logged in through the identity provider."""
    settings.ACCESS_IDENTITY_PROVIDER_REAUTH_URL = "/oidc/authenticate/?reauthenticate=1"
    world.applicant.set_unusable_password()
    world.applicant.save()
    client = _page_client(world)
    session = client.session
    session[AUTHENTICATED_WITH] = IDENTITY_PROVIDER
    session.save()
    return client


def _provider_login(client, world, settings) -> None:
    """The provider's callback logs the person in again (its backend, a new login)."""
    settings.ACCESS_IDENTITY_PROVIDER_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    # the provider's ID token says the person authenticated now (its auth_time)
    setattr(world.applicant, AUTH_TIME_ATTRIBUTE, timezone.now())
    client.force_login(world.applicant, backend="django.contrib.auth.backends.ModelBackend")


def test_an_identity_provider_person_logs_in_again_for_that_one_signature(
    world, draft, clock, settings
):
    client = _provider_client(world, settings)
    sign = f"/commitments/{draft['reference']}/sign/"

    # when they press Sign, then the provider is asked for a new login; nothing is signed
    first = client.post(sign, {"confirm": "1"})
    assert first["Location"].startswith("/oidc/authenticate/?reauthenticate=1&next=")
    assert _status(draft) == Commitment.Status.DRAFT

    # when the provider logged them in again, then the page says so and Sign signs
    clock.shift(dt.timedelta(minutes=1))
    _provider_login(client, world, settings)
    assert (
        'data-testid="signing-proven"'
        in client.get(f"/commitments/{draft['reference']}/").content.decode()
    )
    client.post(sign, {"confirm": "1"})
    assert _status(draft) != Commitment.Status.DRAFT


def test_a_provider_proof_serves_one_signature_only(world, api_as, clock, settings):
    client = _provider_client(world, settings)
    drafts = [_new_draft(world, api_as) for _n in range(2)]
    client.post(f"/commitments/{drafts[0]}/sign/", {"confirm": "1"})
    _provider_login(client, world, settings)

    # a second tab uses the proof for another draft: refused, back to the provider
    other = client.post(f"/commitments/{drafts[1]}/sign/", {"confirm": "1"})
    assert other["Location"].startswith("/oidc/authenticate/")
    assert Commitment.objects.get(reference=drafts[1]).status == Commitment.Status.DRAFT

    # the draft it was made for signs once; the proof is then gone
    client.post(f"/commitments/{drafts[0]}/sign/", {"confirm": "1"})
    assert Commitment.objects.get(reference=drafts[0]).status != Commitment.Status.DRAFT
    assert not client.session.get("access.signing_proofs", {}).get(f"commitment:{drafts[0]}")


def test_a_stale_provider_proof_is_refused(world, draft, clock, settings):
    client = _provider_client(world, settings)
    sign = f"/commitments/{draft['reference']}/sign/"
    client.post(sign, {"confirm": "1"})
    _provider_login(client, world, settings)
    clock.shift(dt.timedelta(minutes=settings.ACCESS_SIGNING_PROOF_MINUTES + 1))

    again = client.post(sign, {"confirm": "1"})

    assert again["Location"].startswith("/oidc/authenticate/")
    assert _status(draft) == Commitment.Status.DRAFT


def _new_draft(world, api_as) -> str:
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template_code": world.template.code,
            "template_version": 1,
            "subject": world.subject.code,
            "field_values": {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"},
        },
        format="json",
    )
    return response.json()["reference"]


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


def test_a_session_signs_over_the_api_only_with_the_password_too(world, draft, clock):
    client = APIClient(headers={"accept-language": "en"})
    client.force_login(world.applicant)
    url = f"/api/v1/commitments/{draft['reference']}/sign/"

    missing = client.post(url, {}, format="json")
    signed = client.post(url, {"password": PASSWORD}, format="json")

    assert missing.status_code == 400
    assert missing.json()["code"] == "reauthentication_required"
    assert signed.status_code == 200, signed.content


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
