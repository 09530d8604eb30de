"""Signing and verifying over the API: the whole lifecycle and every refusal on the way."""

from __future__ import annotations

import hashlib

import pytest

from commitments.lifecycle.models import Commitment, Verification

INBOX, QUEUE = "/api/v1/tasks/inbox/", "/api/v1/tasks/queue/"


def _sign(client, reference: str):
    return client.post(f"/api/v1/commitments/{reference}/sign/", format="json")


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
    assert obligation["title"] == "取得场所合法使用证明"
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
