"""A signature waiting for the timestamp service is a pending row the beat resumes: a broker
that is down when it is submitted neither fails the submission nor loses the signature."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from commitments.lifecycle.models import Commitment, SigningRequest
from commitments.lifecycle.services.commitments import commitment_create
from tests.notifications.peers import celery_broker, free_port
from tests.signing.tsa_server import closed_port_url
from tests.workflows.conftest import FIELD_VALUES
from workflows.verification.services.signing import signing_requests_resume_due
from workflows.verification.services.submission import commitment_submit
from workflows.verification.tasks import signing_requests_resume_task

T0 = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def waiting(world, settings, django_capture_on_commit_callbacks) -> SigningRequest:
    """A draft submitted at T0 while the timestamp service and the broker are both down."""
    settings.SIGNING_TSA_URL = closed_port_url()
    with time_machine.travel(T0):  # ticking: the broker client's deadlines must pass
        draft = commitment_create(
            by=world.applicant,
            subject=world.subject,
            template=world.template,
            field_values=FIELD_VALUES,
        )
        with (
            celery_broker(f"redis://127.0.0.1:{free_port()}/0"),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            kept = commitment_submit(commitment=draft, by=world.applicant)
    # the kick ran, found no broker, and raised nothing (the other hook, kept since the signing
    # has no savepoint to roll back, only marks the transaction's memo: directory.memo)
    kicks = [hook for hook in callbacks if "task_kick_on_commit" in hook.__qualname__]
    assert len(kicks) == 1
    assert kept.status == Commitment.Status.DRAFT
    return SigningRequest.objects.get(commitment=draft)


def test_the_beat_resumes_a_waiting_signature_after_its_back_off_until_it_is_signed(
    waiting, settings
):
    assert (waiting.status, waiting.attempts) == (SigningRequest.Status.PENDING, 1)

    # when the beat runs before the first back-off (30 s) has passed: nothing is tried
    with time_machine.travel(T0 + datetime.timedelta(seconds=20), tick=False):
        assert signing_requests_resume_due() == {"done": 0, "failed": 0, "pending": 0}
    assert SigningRequest.objects.get(pk=waiting.pk).attempts == 1

    # when it runs after it, with the service still down: tried once more, still waiting
    with time_machine.travel(T0 + datetime.timedelta(seconds=40), tick=False):
        assert signing_requests_resume_due() == {"done": 0, "failed": 0, "pending": 1}
        assert signing_requests_resume_due() == {"done": 0, "failed": 0, "pending": 0}
    assert SigningRequest.objects.get(pk=waiting.pk).attempts == 2

    # when the service answers again and the next back-off (1 min) has passed
    settings.SIGNING_TSA_URL = ""  # the embedded authority
    with time_machine.travel(T0 + datetime.timedelta(seconds=120), tick=False):
        result = signing_requests_resume_task.apply().get()

    # then the commitment is signed and under verification, the request closed
    assert result == {"done": 1, "failed": 0, "pending": 0}
    assert Commitment.objects.get(pk=waiting.commitment_id).status == (
        Commitment.Status.UNDER_VERIFICATION
    )
    assert SigningRequest.objects.get(pk=waiting.pk).status == SigningRequest.Status.COMPLETED


def test_the_beat_gives_a_signature_up_after_the_last_attempt(waiting, settings):
    settings.SIGNING_MAX_ATTEMPTS = 2

    with time_machine.travel(T0 + datetime.timedelta(seconds=40), tick=False):
        result = signing_requests_resume_due()

    request = SigningRequest.objects.get(pk=waiting.pk)
    assert result == {"done": 0, "failed": 1, "pending": 0}
    assert request.status == SigningRequest.Status.FAILED
    assert request.attempts == 2
    assert Commitment.objects.get(pk=waiting.commitment_id).status == Commitment.Status.DRAFT


def test_a_request_another_sweep_claimed_is_not_taken_again(waiting):
    # given another sweep claimed the request at +30 s (moved its updated_at there)
    later = T0 + datetime.timedelta(seconds=40)
    claimed_at = T0 + datetime.timedelta(seconds=30)
    SigningRequest.objects.filter(pk=waiting.pk).update(updated_at=claimed_at)

    # when this sweep runs: the request is not due for it any more
    with time_machine.travel(later, tick=False):
        result = signing_requests_resume_due()

    assert result == {"done": 0, "failed": 0, "pending": 0}
    assert SigningRequest.objects.get(pk=waiting.pk).attempts == 1
