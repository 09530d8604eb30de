"""The bidding pledge API: tenders, pledges made and signed in one call, the authority's
outcome and payment; refusals in the error envelope with nothing changed."""

from __future__ import annotations

from datetime import date

import pytest

from commitments.lifecycle.models import Commitment
from commitments.pledges.models import BidPledge, Tender
from directory.models import Subject
from notifications.models import Notification
from tests.commitments.pledges.conftest import bids_closed, black_list

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    return (
        BidPledge.objects.count(),
        Commitment.objects.count(),
        Notification.objects.count(),
        list(BidPledge.objects.order_by("pk").values_list("status", "breach", "kept", "paid_on")),
        BidPledge.history.count(),
        Tender.objects.count(),
    )


def _create(api, world, tender, subject=None):
    return api.post(
        "/api/v1/pledges/create/",
        {
            "tender": tender.reference,
            "subject": (subject or world.subject).code,
            "password": "pw-12345678",
        },
        format="json",
    )


def test_an_applicant_pledges_over_the_api_and_both_sides_read_it(api_as, world, tender):
    created = _create(api_as(world.applicant), world, tender)

    assert created.status_code == 201, created.json()
    body = created.json()
    pledge = BidPledge.objects.get()
    assert (body["id"], body["status"], body["tender"]["reference"], body["subject"]["name"]) == (
        pledge.pk,
        "pledged",
        "SZ-ZB-2026-0815",
        "深圳市示例餐饮有限公司",
    )
    assert body["commitment"] == pledge.commitment.reference
    assert pledge.commitment.is_signed is True
    assert [event["status"] for event in body["history"]] == ["pledged"]
    assert body["payment_due"] is None
    for user in (world.applicant, world.regulator):
        listing = api_as(user).get("/api/v1/pledges/").json()
        assert [row["id"] for row in listing["results"]] == [pledge.pk]
    assert api_as(world.stranger).get("/api/v1/pledges/").json()["count"] == 0
    assert api_as(world.foreign_regulator).get(f"/api/v1/pledges/{pledge.pk}/").status_code == 404


def test_open_tenders_are_listed(api_as, world, tender):
    response = api_as(world.stranger).get("/api/v1/tenders/")

    assert response.status_code == 200
    assert [
        (t["reference"], t["authority"], t["deposit_amount"]) for t in response.json()["results"]
    ] == [("SZ-ZB-2026-0815", "sz-amr", "80000.00")]


def test_a_black_listed_subject_is_refused_in_the_envelope(api_as, world, tender):
    black_list(world.subject)
    before = _snapshot()

    response = _create(api_as(world.applicant), world, tender)

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "invalid_state"
    assert "cannot pledge in place of a bid deposit" in body["message"]
    assert list(body["fields"]) == ["subject"]
    assert _snapshot() == before


def test_a_pledge_for_someone_elses_subject_is_refused(api_as, world, tender):
    before = _snapshot()

    response = _create(
        api_as(world.applicant), world, tender, subject=Subject.objects.get(name="别人的公司")
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "You represent no subject with this code.",
        "fields": {"subject": ["You represent no subject with this code."]},
    }
    assert _snapshot() == before


def test_the_authority_records_a_breach_then_the_payment(api_as, world, tender):
    pledge_id = _create(api_as(world.applicant), world, tender).json()["id"]
    authority = api_as(world.regulator)

    with bids_closed():
        noticed = authority.post(
            f"/api/v1/pledges/{pledge_id}/outcome/", {"outcome": "no_guarantee"}, format="json"
        )
        seen = api_as(world.applicant).get(f"/api/v1/pledges/{pledge_id}/").json()
        paid = authority.post(f"/api/v1/pledges/{pledge_id}/payment/")

    assert noticed.status_code == 200, noticed.json()
    body = noticed.json()
    assert (body["status"], body["breach"], body["amount_due"], body["noticed_on"]) == (
        "noticed",
        "no_guarantee",
        "80000.00",
        "2026-12-10",
    )
    assert body["payment_due"] == "2026-12-24"
    assert (seen["status"], seen["payment_due"]) == ("noticed", "2026-12-24")
    assert paid.status_code == 200
    assert (paid.json()["status"], paid.json()["paid_on"]) == ("paid", "2026-12-10")
    assert [e["status"] for e in paid.json()["history"]] == ["pledged", "noticed", "paid"]
    assert BidPledge.objects.get(pk=pledge_id).paid_on == date(2026, 12, 10)


def test_an_award_outcome_before_the_bid_deadline_is_a_field_error(api_as, world, tender):
    pledge_id = _create(api_as(world.applicant), world, tender).json()["id"]
    before = _snapshot()

    refused = api_as(world.regulator).post(
        f"/api/v1/pledges/{pledge_id}/outcome/", {"outcome": "not_signed"}, format="json"
    )

    message = (
        "“Winner refused to sign the contract” cannot be recorded before the bid deadline "
        "(2026-12-10 09:00): the tender is awarded only after it."
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "invalid",
        "message": message,
        "fields": {"outcome": [message]},
    }
    assert _snapshot() == before


def test_outcomes_refused_change_nothing(api_as, world, tender):
    pledge_id = _create(api_as(world.applicant), world, tender).json()["id"]
    url = f"/api/v1/pledges/{pledge_id}/outcome/"
    before = _snapshot()

    by_bidder = api_as(world.applicant).post(url, {"outcome": "won_signed"}, format="json")
    by_other_department = api_as(world.foreign_regulator).post(
        url, {"outcome": "not_signed"}, format="json"
    )
    unknown = api_as(world.regulator).post(url, {"outcome": "vanished"}, format="json")
    too_early = api_as(world.regulator).post(url, {"outcome": "withdrawn"}, format="json")
    no_payment_awaited = api_as(world.regulator).post(f"/api/v1/pledges/{pledge_id}/payment/")

    assert (by_bidder.status_code, by_bidder.json()["code"]) == (404, "not_found")
    assert (by_other_department.status_code, by_other_department.json()["code"]) == (
        404,
        "not_found",
    )
    assert (unknown.status_code, list(unknown.json()["fields"])) == (400, ["outcome"])
    assert (too_early.status_code, too_early.json()["fields"]) == (
        400,
        {"outcome": ["A bid withdrawn before the bid deadline does not breach the pledge."]},
    )
    assert (no_payment_awaited.status_code, no_payment_awaited.json()["code"]) == (
        409,
        "invalid_state",
    )
    assert _snapshot() == before


def test_an_outcome_recorded_twice_is_a_conflict(api_as, world, tender):
    pledge_id = _create(api_as(world.applicant), world, tender).json()["id"]
    url = f"/api/v1/pledges/{pledge_id}/outcome/"
    with bids_closed():
        first = api_as(world.regulator).post(url, {"outcome": "won_signed"}, format="json")
        before = _snapshot()

        second = api_as(world.other_regulator).post(url, {"outcome": "not_signed"}, format="json")

    assert (first.status_code, first.json()["status"], first.json()["kept"]) == (
        200,
        "released",
        "won_signed",
    )
    assert second.status_code == 409
    assert second.json()["code"] == "invalid_state"
    assert "already recorded" in second.json()["message"]
    assert _snapshot() == before


def test_the_authority_announces_a_tender_and_a_past_deadline_is_refused(api_as, world, today):
    authority = api_as(world.regulator)
    values = {
        "authority": "sz-amr",
        "reference": "SZ-ZB-2026-1001",
        "title": "道路养护",
        "bid_deadline": "2026-12-20T09:30:00+08:00",
        "deposit_amount": "50000.00",
    }

    past = authority.post(
        "/api/v1/tenders/create/", {**values, "bid_deadline": "2026-11-30T09:00:00+08:00"}
    )
    far = authority.post(
        "/api/v1/tenders/create/", {**values, "bid_deadline": "9999-12-31T09:00:00+08:00"}
    )
    assert (far.status_code, far.json()["fields"]) == (
        400,
        {"bid_deadline": ["Give a date no later than 2031-12-01."]},
    )
    foreign = api_as(world.foreign_regulator).post("/api/v1/tenders/create/", values)
    assert (past.status_code, list(past.json()["fields"])) == (400, ["bid_deadline"])
    assert (foreign.status_code, foreign.json()["fields"]) == (
        404,
        {"authority": ["You hold no seat in a department with this code."]},
    )
    assert Tender.objects.count() == 0

    created = authority.post("/api/v1/tenders/create/", values)

    assert created.status_code == 201
    assert created.json()["bid_deadline"] == "2026-12-20T09:30:00+08:00"
    assert Tender.objects.get().reference == "SZ-ZB-2026-1001"


def test_the_schema_documents_the_pledge_endpoints(api_as, world):
    schema = api_as(world.applicant).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert {
        "/api/v1/tenders/",
        "/api/v1/tenders/create/",
        "/api/v1/pledges/",
        "/api/v1/pledges/create/",
        "/api/v1/pledges/{id}/",
        "/api/v1/pledges/{id}/outcome/",
        "/api/v1/pledges/{id}/payment/",
    } <= set(schema["paths"])
