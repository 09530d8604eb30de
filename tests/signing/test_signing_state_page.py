"""The commitment page says when a signature waits for the timestamp service, and when the
retries gave up; once signed, the notice is gone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from commitments.lifecycle.models import Commitment, SigningRequest
from commitments.lifecycle.services.commitments import commitment_create
from commitments.lifecycle.services.signing_requests import signing_request_fail
from tests.signing.tsa_server import closed_port_url
from tests.workflows.conftest import FIELD_VALUES
from workflows.verification.services.signing import commitment_signing_complete


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _draft(world) -> Commitment:
    return commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )


def _page(world, commitment: Commitment) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read the English source text
    client.force_login(world.applicant)
    response = client.get(f"/commitments/{commitment.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_detail_page_shows_signing_pending_until_the_retry_signs(settings, world):
    # given a draft signed while the timestamp service does not answer
    draft = _draft(world)
    settings.SIGNING_TSA_URL = closed_port_url()
    client = Client()
    client.force_login(world.applicant)
    client.post(
        f"/commitments/{draft.reference}/sign/", {"confirm": "1", "password": "pw-12345678"}
    )
    request = SigningRequest.objects.get(commitment=draft)

    # when the applicant opens the commitment
    page = _page(world, draft)

    # then the page itself says the signature waits, not only a one-off message
    assert 'data-testid="signing-pending"' in page
    assert "Signing in progress" in page
    assert "you need not sign again" in page
    assert "1 attempt so far" in page
    assert 'data-testid="signing-failed"' not in page

    # when the service answers again and the retry task completes the signature
    settings.SIGNING_TSA_URL = ""
    assert commitment_signing_complete(request_id=request.pk) == "done"
    page = _page(world, draft)

    # then the notice is gone and the signed PDF is offered
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.UNDER_VERIFICATION
    assert 'data-testid="signing-pending"' not in page
    assert 'data-testid="download"' in page


def test_the_detail_page_says_when_the_retries_gave_up(settings, world):
    # given a pending request whose retries are exhausted
    draft = _draft(world)
    settings.SIGNING_TSA_URL = closed_port_url()
    client = Client()
    client.force_login(world.applicant)
    client.post(
        f"/commitments/{draft.reference}/sign/", {"confirm": "1", "password": "pw-12345678"}
    )
    request = SigningRequest.objects.get(commitment=draft)
    signing_request_fail(request_id=request.pk, error="timestamp service down")

    # when
    page = _page(world, draft)

    # then
    assert 'data-testid="signing-failed"' in page
    assert "sign it again" in page
    assert 'data-testid="signing-pending"' not in page
    assert 'data-testid="sign-form"' in page


def test_a_draft_without_a_signing_request_shows_no_signing_notice(world):
    # given
    draft = _draft(world)

    # when
    page = _page(world, draft)

    # then
    assert 'data-testid="signing-pending"' not in page
    assert 'data-testid="signing-failed"' not in page
    assert 'data-testid="sign-form"' in page
