"""Signing while the timestamp service is down: the draft is kept and a task signs it later."""

from __future__ import annotations

import pytest
from django.test import Client

from commitments.lifecycle.models import Commitment, RegistryEvent, SigningRequest
from commitments.lifecycle.services.commitments import commitment_create
from signing.models import SignedDocument
from signing.register.models import Checkpoint
from tests.signing.tsa_server import closed_port_url
from tests.workflows.conftest import FIELD_VALUES
from workflows.verification.services.signing import SigningStillPending, commitment_signing_complete
from workflows.verification.services.submission import commitment_submit

# The signing files of this test's own, and English messages.
pytestmark = pytest.mark.usefixtures("signing_files", "english")


def test_a_tsa_that_is_down_keeps_the_draft_and_the_task_signs_it_later(
    settings, world, django_capture_on_commit_callbacks
):
    # given a draft and a timestamp service that does not answer
    draft = commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )
    settings.SIGNING_TSA_URL = closed_port_url()

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        kept = commitment_submit(commitment=draft, by=world.applicant)

    # then: nothing lost, a pending request and one task enqueued
    assert kept.status == Commitment.Status.DRAFT
    request = SigningRequest.objects.get(commitment=draft)
    assert request.status == SigningRequest.Status.PENDING
    assert "timestamp service" in request.last_error
    # (the other hook only marks the transaction's memo, directory.memo: the signing has no
    # savepoint of its own to roll back)
    kicks = [hook for hook in callbacks if "task_kick_on_commit" in hook.__qualname__]
    assert len(kicks) == 1
    assert SignedDocument.objects.count() == 0
    assert RegistryEvent.objects.count() == 0

    # when the task runs while the service is still down, it asks to retry
    with pytest.raises(SigningStillPending):
        commitment_signing_complete(request_id=request.pk)
    assert SigningRequest.objects.get(pk=request.pk).attempts == 2

    # when the service answers again (the embedded authority)
    settings.SIGNING_TSA_URL = ""
    outcome = commitment_signing_complete(request_id=request.pk)
    again = commitment_signing_complete(request_id=request.pk)

    # then: signed once, verification started, request closed
    signed = Commitment.objects.get(pk=draft.pk)
    assert outcome == "done"
    assert again == "done"
    assert signed.status == Commitment.Status.UNDER_VERIFICATION
    assert SigningRequest.objects.get(pk=request.pk).status == SigningRequest.Status.COMPLETED
    assert RegistryEvent.objects.filter(commitment=signed, event_type="signed").count() == 1
    assert Checkpoint.objects.count() == 1


def test_the_applicant_sees_signing_in_progress_when_the_tsa_is_down(settings, world):
    # given
    draft = commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )
    settings.SIGNING_TSA_URL = closed_port_url()
    client = Client()
    client.force_login(world.applicant)

    # when
    response = client.post(
        f"/commitments/{draft.reference}/sign/",
        {"confirm": "1", "password": "pw-12345678"},
        follow=True,
    )

    # then
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Signing in progress, waiting for the timestamp service."]
