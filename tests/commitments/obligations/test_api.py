"""Obligations over the API: the applicant's deadlines and reports, the officers' due lists and
extensions, each object scoped to the caller, and every refusal in the envelope with nothing
changed."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from commitments.obligations.models import (
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningSchedule,
)
from commitments.obligations.services.reports import obligation_accept_performance
from commitments.obligations.services.sweep import obligation_warnings_sweep
from tests.commitments.obligations.conftest import DUE_DATE, SIGNED_AT, at, install_ladder
from tests.workflows.conftest import submit_commitment

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIST, DEPARTMENT = "/api/v1/obligations/", "/api/v1/obligations/department/"
AFTER_GRACE = at(datetime.date(2026, 4, 8), 0, 5)
EXTENDED = datetime.date(2026, 4, 30)


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages."""


@pytest.fixture
def client_for(api_as):
    def make(user) -> APIClient:
        client = api_as(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def obligation(world) -> Obligation:
    """The obligation of a commitment signed on Monday 2 March 2026, due on 30 March."""
    install_ladder(world.template)
    with time_machine.travel(SIGNED_AT, tick=False):
        commitment = submit_commitment(world)
    return Obligation.objects.get(commitment=commitment)


def _url(obligation, action: str = "") -> str:
    return f"/api/v1/obligations/{obligation.pk}/{action + '/' if action else ''}"


def _state(obligation) -> tuple:
    """What a report or an extension would change."""
    fresh = Obligation.objects.get(pk=obligation.pk)
    return (
        fresh.status,
        fresh.due_date,
        fresh.due_basis,
        fresh.history.count(),
        PerformanceReport.objects.count(),
        PerformanceEvidence.objects.count(),
        DeadlineExtension.objects.count(),
        tuple(
            WarningSchedule.objects.filter(obligation=fresh)
            .order_by("pk")
            .values_list("due_at", "status")
        ),
    )


def _report(client, obligation, text="已取得场所使用证明", files=()):
    return client.post(
        _url(obligation, "report"), {"text": text, "files": list(files)}, format="multipart"
    )


# The applicant's deadlines ---------------------------------------------------------------------


def test_the_applicant_lists_its_obligations_with_how_each_deadline_was_computed(
    world, obligation, client_for
):
    response = client_for(world.applicant).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item == {
        "id": obligation.pk,
        "commitment": obligation.commitment.reference,
        "template_title": world.template.title,
        "subject_name": world.subject.name,
        "department": "sz-amr",
        "title": "Obtain proof that the premises are lawfully used",  # the request's language
        "status": "pending",
        "status_display": "Pending",
        "due_date": "2026-03-30",
        "due_explanation": obligation.due_explanation,
        "due_basis": obligation.due_basis,
        "due_provisional": False,
        "due_under_review": None,
        "extension_count": 0,
        "has_open_report": False,
    }
    assert item["due_basis"]["unit"] == "working_days"
    assert "20" in item["due_explanation"]


def test_the_detail_shows_the_planned_warnings(world, obligation, client_for):
    response = client_for(world.applicant).get(_url(obligation))

    assert response.status_code == 200
    body = response.json()
    assert [(w["kind"], w["due_at"], w["status"]) for w in body["warnings"]] == [
        ("warning", "2026-03-19T09:00:00+08:00", "pending"),
        ("warning", "2026-03-27T09:00:00+08:00", "pending"),
        ("warning", "2026-03-30T09:00:00+08:00", "pending"),
        ("warning", "2026-03-31T09:00:00+08:00", "pending"),
        ("warning", "2026-03-31T09:00:00+08:00", "pending"),
        ("breach", "2026-04-07T23:59:59+08:00", "pending"),
    ]
    assert (body["extensions"], body["reports"]) == ([], [])


@pytest.mark.parametrize("who", ["stranger", "foreign_regulator"])
def test_someone_elses_obligation_is_not_found(world, obligation, client_for, who):
    client = client_for(getattr(world, who))
    before = _state(obligation)

    assert client.get(LIST).json()["count"] == 0
    detail = client.get(_url(obligation))
    report = _report(client, obligation, files=[SimpleUploadedFile("a.pdf", PDF)])
    extend = client.post(
        _url(obligation, "extend"),
        {"new_due_date": EXTENDED.isoformat(), "reason": "理由"},
        format="json",
    )

    assert [r.status_code for r in (detail, report, extend)] == [404, 404, 404]
    assert detail.json() == {"code": "not_found", "message": "No such obligation.", "fields": {}}
    assert _state(obligation) == before


def test_the_api_needs_a_token(obligation):
    assert APIClient().get(LIST).status_code == 401


# Reporting performance ----------------------------------------------------------------------


def test_the_applicant_reports_performance_with_evidence(world, obligation, client_for):
    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        response = _report(
            client_for(world.applicant),
            obligation,
            files=[SimpleUploadedFile("租赁合同.pdf", PDF), SimpleUploadedFile("现场.png", PNG)],
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    report = PerformanceReport.objects.get()
    assert body == {
        "id": report.pk,
        "status": "submitted",
        "text": "已取得场所使用证明",
        "submitted_by": "applicant",
        "submitted_at": "2026-03-20T09:00:00+08:00",
        "decided_at": None,
        "decision_note": "",
        "evidence": [
            {
                "name": "租赁合同.pdf",
                "content_type": "application/pdf",
                "size": len(PDF),
                "sha256": hashlib.sha256(PDF).hexdigest(),
            },
            {
                "name": "现场.png",
                "content_type": "image/png",
                "size": len(PNG),
                "sha256": hashlib.sha256(PNG).hexdigest(),
            },
        ],
    }
    listed = client_for(world.applicant).get(LIST).json()["results"][0]
    assert listed["has_open_report"] is True


@pytest.mark.parametrize(
    ("text", "files", "fields"),
    [
        ("", [], {"text": ["This field may not be blank."]}),
        (
            "已完成",
            [SimpleUploadedFile("note.txt", b"just text")],
            {"files": ["note.txt is not a PDF, PNG or JPEG file."]},
        ),
        ("已完成", [SimpleUploadedFile("empty.pdf", b"")], {"files": ["empty.pdf is empty."]}),
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(
    world, obligation, client_for, text, files, fields
):
    before = _state(obligation)

    response = _report(client_for(world.applicant), obligation, text=text, files=files)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == fields
    assert _state(obligation) == before


def test_a_report_after_a_breach_was_recorded_is_refused(world, obligation, client_for):
    with time_machine.travel(AFTER_GRACE, tick=False):
        obligation_warnings_sweep()
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.BREACHED
    before = _state(obligation)

    response = _report(
        client_for(world.applicant), obligation, files=[SimpleUploadedFile("a.pdf", PDF)]
    )

    assert response.status_code == 409
    message = (
        "A breach has already been recorded for this obligation, so performance can no "
        "longer be reported against it. To have the record corrected, apply for credit "
        "repair or raise an objection."
    )
    assert response.json() == {
        "code": "invalid_state",
        "message": message,
        "fields": {"status": [message]},
    }
    assert _state(obligation) == before


def test_a_report_on_a_fulfilled_obligation_is_refused(world, obligation, client_for):
    applicant = client_for(world.applicant)
    assert _report(applicant, obligation).status_code == 201
    obligation_accept_performance(report=PerformanceReport.objects.get(), by=world.regulator)
    before = _state(obligation)

    response = _report(applicant, obligation)

    assert response.status_code == 409
    assert response.json()["message"] == "This obligation has already been accepted as fulfilled."
    assert _state(obligation) == before


def test_a_second_report_while_one_awaits_review_is_refused(world, obligation, client_for):
    applicant = client_for(world.applicant)
    assert _report(applicant, obligation).status_code == 201
    before = _state(obligation)

    response = _report(applicant, obligation)

    assert response.status_code == 409
    assert response.json()["message"] == "A report on this obligation is already awaiting review."
    assert _state(obligation) == before


def test_an_officer_cannot_report_for_the_applicant(world, obligation, client_for):
    before = _state(obligation)

    response = _report(client_for(world.regulator), obligation)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert _state(obligation) == before


# The officers' lists and extensions --------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "query", "listed"),
    [
        (datetime.date(2026, 3, 10), "", True),
        (datetime.date(2026, 3, 10), "?due=soon&days=7", False),
        (datetime.date(2026, 3, 25), "?due=soon&days=7", True),
        (datetime.date(2026, 3, 25), "?due=overdue", False),
        (datetime.date(2026, 3, 31), "?due=overdue", True),
    ],
)
def test_officers_list_their_departments_due_and_overdue_obligations(
    world, obligation, client_for, today, query, listed
):
    with time_machine.travel(at(today), tick=False):
        response = client_for(world.regulator).get(DEPARTMENT + query)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == (
        [obligation.pk] if listed else []
    )


def test_another_departments_officer_lists_nothing_and_an_applicant_is_refused(
    world, obligation, client_for
):
    foreign = client_for(world.foreign_regulator).get(DEPARTMENT)
    applicant = client_for(world.applicant).get(DEPARTMENT)

    assert (foreign.status_code, foreign.json()["count"]) == (200, 0)
    assert applicant.status_code == 403
    assert applicant.json()["message"] == "This list is for department staff."


def test_a_bad_department_filter_is_refused(world, obligation, client_for):
    response = client_for(world.regulator).get(DEPARTMENT + "?due=later")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["due"]


@pytest.mark.parametrize("who", ["regulator", "supervisor"])
def test_an_officer_extends_the_deadline_and_unsent_warnings_follow(
    world, obligation, client_for, who
):
    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        response = client_for(getattr(world, who)).post(
            _url(obligation, "extend"),
            {"new_due_date": EXTENDED.isoformat(), "reason": "疫情封控顺延"},
            format="json",
        )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["due_date"], body["extension_count"]) == ("2026-04-30", 1)
    assert body["extensions"] == [
        {
            "previous_due": DUE_DATE.isoformat(),
            "new_due": "2026-04-30",
            "reason": "疫情封控顺延",
            "extended_by": who,
            "extended_at": "2026-03-20T09:00:00+08:00",
        }
    ]
    assert body["due_basis"]["extended_from"] == DUE_DATE.isoformat()
    assert ("warning", "2026-04-30T09:00:00+08:00", "pending") in [
        (w["kind"], w["due_at"], w["status"]) for w in body["warnings"]
    ]


@pytest.mark.parametrize(
    ("new_due_date", "reason", "fields"),
    [
        ("2026-03-19", "理由", {"new_due_date": ["The new due date cannot be in the past."]}),
        (
            "2026-03-25",
            "理由",
            {"new_due_date": ["The new due date must be after the current one (2026-03-30)."]},
        ),
        ("2026-04-30", "  ", {"reason": ["This field may not be blank."]}),
        ("30/04/2026", "理由", None),
        # the year 9999 once reached the calendar and overflowed: the horizon refuses it
        ("9999-12-31", "理由", {"new_due_date": ["Give a date no later than 2031-03-20."]}),
    ],
)
def test_a_bad_extension_is_refused_and_changes_nothing(
    world, obligation, client_for, new_due_date, reason, fields
):
    before = _state(obligation)

    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        response = client_for(world.regulator).post(
            _url(obligation, "extend"),
            {"new_due_date": new_due_date, "reason": reason},
            format="json",
        )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    if fields is None:
        assert list(body["fields"]) == ["new_due_date"]
    else:
        assert body["fields"] == fields
    assert _state(obligation) == before


def test_the_applicant_cannot_extend_its_own_deadline(world, obligation, client_for):
    before = _state(obligation)

    response = client_for(world.applicant).post(
        _url(obligation, "extend"),
        {"new_due_date": EXTENDED.isoformat(), "reason": "理由"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert _state(obligation) == before


def test_a_breached_obligation_keeps_its_deadline(world, obligation, client_for):
    with time_machine.travel(AFTER_GRACE, tick=False):
        obligation_warnings_sweep()
    before = _state(obligation)

    with time_machine.travel(at(datetime.date(2026, 4, 8)), tick=False):
        response = client_for(world.regulator).post(
            _url(obligation, "extend"),
            {"new_due_date": EXTENDED.isoformat(), "reason": "理由"},
            format="json",
        )

    assert response.status_code == 409
    assert response.json()["message"] == (
        "This obligation is Breached; its deadline can no longer change."
    )
    assert _state(obligation) == before


def test_the_schema_describes_the_obligation_endpoints(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    operations = {
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
    }

    assert {
        "obligations_list",
        "obligations_department_list",
        "obligations_detail",
        "obligations_report",
        "obligations_extend",
        "tasks_extend_deadline",
    } <= operations
    report = next(
        methods["post"]
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/obligations/{") and path.endswith("/report/")
    )
    assert list(report["requestBody"]["content"]) == ["multipart/form-data"]
