"""The report API: request, list, the public check; refusals in the error envelope."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from credit.check.models import REPORT_PURPOSE, CheckQuery
from credit.reports.models import CreditReport


def test_request_list_and_check_over_the_api(world, api_as):
    today = timezone.localdate()
    client = api_as(world.applicant)
    body = {
        "subject": world.subject.code,
        "span_from": (today - timedelta(days=365)).isoformat(),
        "span_until": today.isoformat(),
    }

    created = client.post("/api/v1/credit/reports/", body, format="json")
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    listed = client.get("/api/v1/credit/reports/").json()
    assert [row["reference"] for row in listed["results"]] == [reference]

    check = APIClient().get(f"/api/v1/credit/reports/{reference}/verify/")
    assert check.status_code == 200
    assert (check.json()["is_genuine"], check.json()["record_changed"]) == (True, False)


def test_refusals_use_the_envelope_issue_nothing_and_are_logged(world, api_as):
    today = timezone.localdate()
    client = api_as(world.applicant)
    too_long = {
        "subject": world.subject.code,
        "span_from": (today - timedelta(days=6 * 365)).isoformat(),
        "span_until": today.isoformat(),
    }
    future = too_long | {
        "span_from": today.isoformat(),
        "span_until": (today + timedelta(1)).isoformat(),
    }

    long_answer = client.post("/api/v1/credit/reports/", too_long, format="json")
    future_answer = client.post("/api/v1/credit/reports/", future, format="json")
    stranger = api_as(world.stranger).post(
        "/api/v1/credit/reports/", too_long | {"span_from": today.isoformat()}, format="json"
    )
    unknown = APIClient().get("/api/v1/credit/reports/SR-2026-NOSUCHREF/verify/")

    assert (long_answer.status_code, list(long_answer.json()["fields"])) == (400, ["span_from"])
    assert (future_answer.status_code, list(future_answer.json()["fields"])) == (
        400,
        ["span_until"],
    )
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert not CreditReport.objects.exists()
    refusals = CheckQuery.objects.filter(purpose=REPORT_PURPOSE).order_by("pk")
    assert [(q.answer["field"], q.answer["requested_by"]) for q in refusals] == [
        ("span_from", world.applicant.pk),
        ("span_until", world.applicant.pk),
        ("subject", world.stranger.pk),
    ]


def test_a_date_that_is_not_a_date_is_refused_in_the_envelope_and_logged(world, api_as):
    request = {"subject": world.subject.code, "span_from": "2026-02-30", "span_until": 20261201}

    answer = api_as(world.applicant).post("/api/v1/credit/reports/", request, format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert sorted(answer.json()["fields"]) == ["span_from", "span_until"]
    assert not CreditReport.objects.exists()
    [logged] = CheckQuery.objects.filter(purpose=REPORT_PURPOSE)
    assert logged.answer["refused"] is True
    assert (logged.answer["field"], logged.answer["span_from"], logged.answer["span_until"]) == (
        "span_from",
        "2026-02-30",
        "20261201",
    )
    assert (logged.subject_id, logged.subject_code) == (None, world.subject.code)


def test_a_body_that_is_not_an_object_is_refused_in_the_envelope_and_logged(world, api_as):
    answer = api_as(world.applicant).post("/api/v1/credit/reports/", [1, 2], format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert not CreditReport.objects.exists()
    [logged] = CheckQuery.objects.filter(purpose=REPORT_PURPOSE)
    assert logged.answer["refused"] is True
    assert (logged.subject_id, logged.subject_code) == (None, "")


def test_nul_characters_typed_in_a_request_are_refused_and_logged_without_them(world, api_as):
    request = {"subject": "91\x00440300", "span_from": "2026-01-01\x00", "span_until": "x"}

    answer = api_as(world.applicant).post("/api/v1/credit/reports/", request, format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    [logged] = CheckQuery.objects.filter(purpose=REPORT_PURPOSE)
    assert logged.subject_code == "91440300"
    assert logged.answer["span_from"] == "2026-01-01"
