"""Signing and verifying over the API: the whole lifecycle, every refusal on the way, and a
broker outage while signing."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.conf import settings
from django.db import connection

from commitments.lifecycle.models import Commitment, Verification
from config import celery_app
from notifications.models import Notification, OutboxMessage
from tests.notifications.peers import (
    RedisServer,
    celery_broker,
    free_port,
    wait_for,
    worker_kill,
    worker_start,
)

INBOX, QUEUE = "/api/v1/tasks/inbox/", "/api/v1/tasks/queue/"


def _sign(client, reference: str):
    # a token signs with the person's password (access.api)
    return client.post(
        f"/api/v1/commitments/{reference}/sign/", {"password": "pw-12345678"}, format="json"
    )


@pytest.fixture
def signed(world, api_as, draft) -> dict:
    """The draft signed over the API; verification is open at the competent department."""
    response = _sign(api_as(world.applicant), draft["reference"])
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def claimed_task(world, api_as, signed) -> int:
    """The verification task of ``signed``, in ``world.regulator``'s inbox."""
    for user in (world.regulator, world.other_regulator):
        tasks = api_as(user).get(INBOX).json()["results"]
        if tasks:
            task_pk, assignee = tasks[0]["id"], user
            break
    else:  # left in the queue: claim it
        task_pk = api_as(world.regulator).get(QUEUE).json()["results"][0]["id"]
        assignee = None
    if assignee is not None and assignee != world.regulator:
        assert api_as(assignee).post(f"/api/v1/tasks/{task_pk}/release/").status_code == 200
        assignee = None
    if assignee is None:
        response = api_as(world.regulator).post(f"/api/v1/tasks/{task_pk}/claim/")
        assert response.status_code == 200, response.json()
    return task_pk


def _snapshot(reference: str) -> tuple:
    commitment = Commitment.objects.get(reference=reference)
    return (
        commitment.status,
        commitment.signed_document_id,
        commitment.history.count(),
        Verification.objects.filter(commitment=commitment).count(),
    )


def test_lifecycle_create_sign_claim_verify_fulfilled(world, api_as, draft):
    applicant, regulator = api_as(world.applicant), api_as(world.regulator)
    reference = draft["reference"]

    # when the applicant signs
    response = _sign(applicant, reference)
    # then verification is open at the competent department, with explained deadlines
    assert response.status_code == 200, response.json()
    signed = response.json()
    assert signed["status"] == "under_verification"
    assert signed["department"] == "sz-amr"
    assert signed["verification_due_at"] is not None
    assert signed["verification_due_explanation"]
    [obligation] = signed["obligations"]
    assert obligation["title"] == "Obtain proof that the premises are lawfully used"  # English
    assert obligation["status"] == "pending"
    assert obligation["due_date"] and obligation["due_explanation"]
    # the obligation's id is the one its report goes to
    reportable = applicant.get(f"/api/v1/obligations/{obligation['id']}/")
    assert reportable.status_code == 200
    assert reportable.json()["commitment"] == reference
    assert len(signed["signed_document_sha256"]) == 64

    # and one regulator of the department has the task (in an inbox, or queued)
    owned = [
        t
        for u in (world.regulator, world.other_regulator)
        for t in api_as(u).get(INBOX).json()["results"]
    ]
    queued = regulator.get(QUEUE).json()["results"]
    [task] = owned + queued
    assert task["commitment"] == reference
    assert task["subject_name"] == world.subject.name
    assert api_as(world.foreign_regulator).get(QUEUE).json()["count"] == 0
    assert api_as(world.foreign_regulator).get(INBOX).json()["count"] == 0

    # when the assignee gives it back and the regulator claims it from the queue
    if task["owner"] is not None:
        owner = world.regulator if task["owner"] == "regulator" else world.other_regulator
        released = api_as(owner).post(f"/api/v1/tasks/{task['id']}/release/")
        assert released.status_code == 200, released.json()
        assert released.json()["owner"] is None
    assert [t["id"] for t in regulator.get(QUEUE).json()["results"]] == [task["id"]]
    claimed = regulator.post(f"/api/v1/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["owner"] == "regulator"
    assert [t["id"] for t in regulator.get(INBOX).json()["results"]] == [task["id"]]

    # and verifies it as fulfilled
    verified = regulator.post(
        f"/api/v1/tasks/{task['id']}/verify/",
        {"method": "on_site", "finding": "fulfilled"},
        format="json",
    )
    assert verified.status_code == 200, verified.json()

    # then the applicant sees the commitment fulfilled, with the finding and its timeline
    detail = applicant.get(f"/api/v1/commitments/{reference}/").json()
    assert detail["status"] == "fulfilled"
    assert detail["verification"]["finding"] == "fulfilled"
    assert detail["verification"]["method"] == "on_site"
    assert detail["decided_at"] is not None
    assert [e["to_status"] for e in detail["timeline"]] == [
        "draft",
        "signed",
        "under_verification",
        "fulfilled",
    ]
    assert detail["timeline"][-1]["actor"] == "regulator"
    assert applicant.get("/api/v1/commitments/?status=fulfilled").json()["count"] == 1


def test_signed_document_header_is_the_sha256_of_the_body(world, api_as, signed):
    response = api_as(world.applicant).get(f"/api/v1/commitments/{signed['reference']}/document/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    stored = Commitment.objects.get(reference=signed["reference"]).signed_document.sha256
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest() == stored
    assert signed["signed_document_sha256"] == stored
    assert body.startswith(b"%PDF-")


def test_the_competent_regulator_may_download_the_document(world, api_as, signed):
    response = api_as(world.regulator).get(f"/api/v1/commitments/{signed['reference']}/document/")
    assert response.status_code == 200


def test_signing_twice_is_a_conflict_that_changes_nothing(world, api_as, signed):
    before = _snapshot(signed["reference"])
    response = _sign(api_as(world.applicant), signed["reference"])
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_signed"
    assert "status" in body["fields"]
    assert _snapshot(signed["reference"]) == before


def test_signing_someone_elses_commitment_is_not_found(world, api_as, draft):
    before = _snapshot(draft["reference"])
    response = _sign(api_as(world.stranger), draft["reference"])
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert _snapshot(draft["reference"]) == before


def test_another_departments_regulator_can_neither_claim_nor_verify(world, api_as, signed):
    task_pk = _any_task(world, api_as)
    before = _snapshot(signed["reference"])
    foreign = api_as(world.foreign_regulator)
    claim = foreign.post(f"/api/v1/tasks/{task_pk}/claim/")
    verify = foreign.post(
        f"/api/v1/tasks/{task_pk}/verify/",
        {"method": "on_site", "finding": "breached", "reason": "假的"},
        format="json",
    )
    for response in (claim, verify):
        assert response.status_code in (403, 404)
        assert response.json()["code"] in ("not_found", "forbidden")
    assert _snapshot(signed["reference"]) == before
    assert before[0] == Commitment.Status.UNDER_VERIFICATION


def test_a_breach_without_reason_names_reason_and_changes_nothing(
    world, api_as, signed, claimed_task
):
    before = _snapshot(signed["reference"])
    response = api_as(world.regulator).post(
        f"/api/v1/tasks/{claimed_task}/verify/",
        {"method": "on_site", "finding": "breached", "reason": "  "},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["reason"]
    assert _snapshot(signed["reference"]) == before


def test_a_breach_with_its_reason_is_recorded(world, api_as, signed, claimed_task):
    response = api_as(world.regulator).post(
        f"/api/v1/tasks/{claimed_task}/verify/",
        {"method": "on_site", "finding": "breached", "reason": "经营场所与承诺不符"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "breached"
    assert response.json()["verification"]["reason"] == "经营场所与承诺不符"


def test_an_unknown_finding_names_finding(world, api_as, signed, claimed_task):
    before = _snapshot(signed["reference"])
    response = api_as(world.regulator).post(
        f"/api/v1/tasks/{claimed_task}/verify/",
        {"method": "on_site", "finding": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["finding"]
    assert _snapshot(signed["reference"]) == before


def _any_task(world, api_as) -> int:
    for user in (world.regulator, world.other_regulator):
        for url in (INBOX, QUEUE):
            results = api_as(user).get(url).json()["results"]
            if results:
                return results[0]["id"]
    raise AssertionError("no verification task")


def test_signing_a_stored_draft_the_pdf_cannot_show_is_a_400_that_changes_nothing(
    world, api_as, draft, english
):
    # given a draft stored before its characters were checked (once a 500 at every attempt)
    commitment = Commitment.objects.get(reference=draft["reference"])
    Commitment.objects.filter(pk=commitment.pk).update(
        field_values={"premises": "南山区1号\u202e", "scope": "热食😀"}
    )
    history = commitment.history.count()

    # when
    response = _sign(api_as(world.applicant), draft["reference"])

    # then each field is named with its characters, and the draft is still a draft
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {
        "field_values.premises": [
            "These characters cannot be shown in the signed document: U+202E"
        ],
        "field_values.scope": [
            "These characters cannot be shown in the signed document: 😀 (U+1F600)"
        ],
    }
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DRAFT
    assert commitment.signed_document is None
    assert commitment.history.count() == history
    assert Verification.objects.count() == 0


# A broker outage while signing: the request answers 2xx, the regulator's e-mail waits in the
# outbox, and the beat's delivery sends it once the broker is back (ADR 0007).


def _assignment_email(reference: str) -> OutboxMessage:
    """The outbox e-mail of the notification that assigned ``reference``'s verification."""
    [notification] = Notification.objects.filter(
        key__startswith="workflows:assigned:", subject__contains=reference
    )
    return OutboxMessage.objects.get(key=f"notification:{notification.pk}:email")


@pytest.mark.django_db(transaction=True)  # the kick runs on the real commit, in the request
def test_signing_while_the_broker_is_down_answers_200_and_the_beat_sends_the_email_later(
    world, api_as, draft, smtp
):
    # given a broker nobody listens for
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        # when the applicant signs
        response = _sign(api_as(world.applicant), draft["reference"])

    # then the request succeeds, the commitment is under verification and the regulator's
    # assignment e-mail waits in the outbox
    assert response.status_code == 200, response.content
    assert Commitment.objects.get(reference=draft["reference"]).status == "under_verification"
    email = _assignment_email(draft["reference"])
    assert email.status == OutboxMessage.Status.PENDING
    assert smtp.messages == []

    # when the beat's delivery runs (the task its entry names, through its entry point)
    task = celery_app.tasks[settings.CELERY_BEAT_SCHEDULE["deliver-outbox"]["task"]]
    task.apply().get()

    # then the e-mail reaches the regulator once, with the Message-ID of its key
    assert [(m["to"], m["key"], m["message_id"]) for m in smtp.messages] == [
        ([email.recipient.email], email.key, email.message_id)
    ]
    assert OutboxMessage.objects.get(pk=email.pk).status == OutboxMessage.Status.SENT


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_with_its_redis_stopped_signing_succeeds_and_a_real_worker_mails_once_it_is_back(
    world, api_as, draft, smtp, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process shares the test's PostgreSQL database")
    # given a Redis of this test's own, that this process sends its tasks to, stopped
    redis = RedisServer().start()
    queue = f"chengnuo-outage-{uuid.uuid4().hex[:12]}"
    worker = None
    try:
        with celery_broker(redis.url):
            redis.stop()

            # when the applicant signs over the API
            response = _sign(api_as(world.applicant), draft["reference"])

            # then the request succeeds and the commitment is under verification
            assert response.status_code == 200, response.content
            commitment = Commitment.objects.get(reference=draft["reference"])
            assert commitment.status == "under_verification"
            email = _assignment_email(draft["reference"])
            assert email.status == OutboxMessage.Status.PENDING

            # when Redis is back, a real worker runs and the beat's delivery entry fires
            redis.start()
            worker = worker_start(
                queue=queue, broker_url=redis.url, smtp_port=smtp.port, log=tmp_path / "w.log"
            )
            celery_app.send_task(
                settings.CELERY_BEAT_SCHEDULE["deliver-outbox"]["task"], queue=queue
            )
            wait_for(
                lambda: OutboxMessage.objects.filter(pk=email.pk, status="sent").exists(),
                what="the assignment e-mail sent",
                timeout=120,
            )
    finally:
        if worker is not None:
            worker_kill(worker)
        redis.stop()

    # then the regulator's assignment e-mail reached the SMTP server exactly with its key
    assignment = [m for m in smtp.messages if m["key"] == email.key]
    assert [(m["to"], m["message_id"]) for m in assignment] == [
        ([email.recipient.email], email.message_id)
    ]
    assert commitment.reference in assignment[0]["subject"]
