"""The public portal's API: no token, only what may be published, lists with entry and exit
dates, persons masked, and 404s in the error envelope."""

from __future__ import annotations

from datetime import date, timedelta

from rest_framework.test import APIClient

from commitments.lifecycle.models import Commitment
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from directory.models import Subject
from tests.factories import SubjectFactory, UserFactory
from tests.workflows.conftest import submit_commitment
from tests.workflows.repair import conftest as repair_fixtures
from tests.workflows.repair.conftest import record

today = repair_fixtures.today
repair_city = repair_fixtures.repair_city


def _client() -> APIClient:
    client = APIClient()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _listed(subject, *, entered=date(2026, 5, 1), until=None) -> ListEntry:
    return ListEntry.objects.create(
        credit_list=CreditList.objects.get(code="serious-dishonesty"),
        subject=subject,
        reason="严重失信",
        entered_on=entered,
        exit_not_before=until,
        status=ListEntry.Status.LISTED,
    )


def test_published_commitments_need_no_token(world):
    commitment = submit_commitment(world)
    signed = Commitment.objects.get(pk=commitment.pk).signed_at

    response = _client().get("/api/v1/portal/commitments/", {"q": "示例餐饮"})

    assert response.status_code == 200
    assert response.json()["count"] == 1
    row = response.json()["results"][0]
    assert row == {
        "reference": commitment.reference,
        "subject": world.subject.name,
        "subject_code": world.subject.code,
        "title": world.template.title,
        "kind": world.template.kind,
        "kind_name": world.template.rules.name,
        "matter": world.matter.name,
        "department": world.department.name,
        "signed_at": row["signed_at"],
        "public_until": (signed + timedelta(days=world.template.publicity_days)).date().isoformat(),
    }
    assert _client().get("/api/v1/portal/commitments/", {"q": "无此公司"}).json()["count"] == 0


def test_lists_give_entry_and_exit_dates_and_mask_persons(world):
    _listed(world.subject, until=date(2027, 5, 1))
    person = SubjectFactory(
        kind=Subject.Kind.PERSON,
        code="110101199003077777",
        name="张三丰",
        representative=UserFactory(),
    )
    _listed(person, entered=date(2026, 4, 1))
    ended = _listed(SubjectFactory(name="已退出公司", representative=UserFactory()))
    ended.leave(on=date(2026, 6, 2))
    ended.save()

    current = _client().get("/api/v1/portal/lists/black/").json()
    exited = _client().get("/api/v1/portal/lists/black/", {"show": "exited"}).json()

    assert [
        (e["subject"], e["subject_code"], e["entered_on"], e["exit_not_before"], e["exited_on"])
        for e in current["results"]
    ] == [
        (world.subject.name, world.subject.code, "2026-05-01", "2027-05-01", None),
        ("张**", None, "2026-04-01", None, None),
    ]
    assert [(e["subject"], e["exited_on"]) for e in exited["results"]] == [
        ("已退出公司", "2026-06-02")
    ]
    assert "严重失信" not in str(current)  # the reason is not published


def test_an_unknown_list_is_not_found_in_the_envelope(db):
    response = _client().get("/api/v1/portal/lists/grey/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "There is no list of this kind: use red or black.",
        "fields": {"kind": ["There is no list of this kind: use red or black."]},
    }


def test_a_profile_shows_only_what_may_be_published(repair_city, today):
    world = repair_city
    shown = record(world, on=date(2026, 4, 1))  # Order 36, serious: published
    hidden = record(world, on=date(2026, 4, 2), severity="minor")  # Order 36: unpublished
    old = record(world, on=date(2026, 3, 31))  # Order 58, serious: published

    response = _client().get(f"/api/v1/portal/subjects/{world.subject.code.lower()}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["code"], body["as_of"]) == (
        world.subject.name,
        world.subject.code,
        "2026-12-01",
    )
    assert [
        (b["record_date"], b["rule_set"], b["publicity_max_until"]) for b in body["breaches"]
    ] == [
        ("2026-04-01", shown.rule_set.name, shown.publicity_max_until.isoformat()),
        ("2026-03-31", old.rule_set.name, old.publicity_max_until.isoformat()),
    ]
    assert shown.rule_set != old.rule_set
    assert hidden.is_publishable is False
    assert shown.reason not in response.content.decode()
    assert body["commitments"] == []  # repair_city signs none


def test_persons_and_unknown_codes_have_no_public_profile(world):
    person = SubjectFactory(
        kind=Subject.Kind.PERSON,
        code="110101199003077777",
        name="张三",
        representative=UserFactory(),
    )
    for code in (person.code, "X"):
        response = _client().get(f"/api/v1/portal/subjects/{code}/")
        assert response.status_code == 404
        assert response.json()["message"] == "No company with this code is on the portal."
