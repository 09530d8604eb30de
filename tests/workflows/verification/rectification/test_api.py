"""The rectification lifecycle over the API: the regulator orders, the applicant submits with
evidence, the regulator verifies again; refusals in the JSON error envelope."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments.lifecycle.models import Commitment
from tests.workflows.conftest import task_of
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import Rectification

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def test_rectify_lifecycle(world, api_as, submitted_commitment):
    regulator, applicant = api_as(world.regulator), api_as(world.applicant)
    reference = submitted_commitment.reference
    task = task_of(submitted_commitment)

    ordered = regulator.post(
        f"/api/v1/tasks/{task.pk}/rectify/",
        {"method": "on_site", "gaps": "消毒柜未安装", "working_days": 5},
        format="json",
    )
    assert ordered.status_code == 201, ordered.json()
    assert ordered.json()["status"] == "ordered"

    read = applicant.get(f"/api/v1/commitments/{reference}/rectification/")
    assert (read.status_code, read.json()["gaps"]) == (200, "消毒柜未安装")

    submitted = applicant.post(
        f"/api/v1/commitments/{reference}/rectification/",
        {"submission": "已安装", "evidence": [SimpleUploadedFile("p.png", PNG, "image/png")]},
        format="multipart",
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["evidence"][0]["stage"] == "submission"

    reverify = task_of(submitted_commitment, InformCommitFlow.reverify)
    verified = regulator.post(
        f"/api/v1/tasks/{reverify.pk}/verify/",
        {"method": "on_site", "finding": "fulfilled"},
        format="json",
    )
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == "fulfilled"
    events = [entry["event"] for entry in verified.json()["timeline"]]
    assert "rectification_ordered" in events and "rectification_submitted" in events
    assert Rectification.objects.get().status == "fulfilled"


def test_a_past_deadline_is_refused_with_its_field(world, api_as, submitted_commitment):
    task = task_of(submitted_commitment)
    answer = api_as(world.regulator).post(
        f"/api/v1/tasks/{task.pk}/rectify/",
        {
            "method": "written",
            "gaps": "x",
            "due_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert answer.status_code == 400
    assert list(answer.json()["fields"]) == ["due_date"]
    assert not Rectification.objects.exists()


def test_someone_elses_case_is_not_found(world, api_as, submitted_commitment):
    api_as(world.regulator).post(
        f"/api/v1/tasks/{task_of(submitted_commitment).pk}/rectify/",
        {"method": "written", "gaps": "x", "working_days": 2},
        format="json",
    )
    answer = api_as(world.stranger).post(
        f"/api/v1/commitments/{submitted_commitment.reference}/rectification/",
        {"submission": "not mine"},
        format="json",
    )
    assert answer.status_code == 404
    assert Rectification.objects.get().status == "ordered"


def test_ordering_on_a_closed_case_conflicts(world, api_as, submitted_commitment):
    regulator = api_as(world.regulator)
    task = task_of(submitted_commitment)
    regulator.post(
        f"/api/v1/tasks/{task.pk}/verify/",
        {"method": "written", "finding": "fulfilled"},
        format="json",
    )
    answer = regulator.post(
        f"/api/v1/tasks/{task.pk}/rectify/",
        {"method": "written", "gaps": "x", "working_days": 2},
        format="json",
    )
    assert answer.status_code == 409
    assert list(answer.json()["fields"]) == ["status"]
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == "fulfilled"
