"""Accept now, supply later over the API: the grace period the template states (working days on
the official calendar) is enforced, a supplied item is accepted or rejected by the competent
department over the API, and an industry self-discipline pledge runs its lifecycle to the end.
Every refusal names its field and leaves everything as it was."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import (
    ApprovalConsequence,
    Obligation,
    PerformanceReport,
    WarningPolicy,
)
from commitments.obligations.services.sweep import obligation_warnings_sweep
from directory.models import DeadlineUnit
from directory.translation import both_languages
from tests.factories import ObligationRuleFactory, TemplateFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIGNED_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
INBOX, QUEUE = "/api/v1/tasks/inbox/", "/api/v1/tasks/queue/"


def _at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def _signed(api_as, world, template) -> dict:
    applicant = api_as(world.applicant)
    created = applicant.post(
        "/api/v1/commitments/create/",
        {
            "template_code": template.code,
            "template_version": 1,
            "subject": world.subject.code,
            "field_values": {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    signed = applicant.post(
        f"/api/v1/commitments/{created.json()['reference']}/sign/",
        {"password": "pw-12345678"},
        format="json",
    )
    assert signed.status_code == 200, signed.json()
    return signed.json()


def _supply(client, obligation_id: int):
    return client.post(
        f"/api/v1/obligations/{obligation_id}/report/",
        {
            "text": "补交材料",
            "files": [SimpleUploadedFile("item.png", PNG, content_type="image/png")],
        },
        format="multipart",
    )


@pytest.fixture
def with_grace(world) -> CommitmentTemplate:
    """Two missing items due in 4 working days (Friday 6 March when signed on Monday 2 March),
    two working days of grace (to Tuesday 10 March, over the weekend), then revocation."""
    template = TemplateFactory(
        matter=world.matter,
        code="food-permit-grace",
        kind=CommitmentTemplate.Kind.SUPPLY_LATER,
        consequence=CommitmentTemplate.Consequence.REVOKE,
        obligations=False,
    )
    for position, (zh, en) in enumerate(
        (("补交场所证明", "Premises proof"), ("补交制度", "Rules"))
    ):
        ObligationRuleFactory(
            template=template,
            position=position,
            deadline=4,
            deadline_unit=DeadlineUnit.WORKING_DAYS,
            **both_languages(title=(zh, en)),
        )
    WarningPolicy.objects.create(
        template=template, grace_period=2, grace_unit=DeadlineUnit.WORKING_DAYS
    )
    return template


def test_an_item_may_be_supplied_within_the_grace_period_and_not_after(world, api_as, with_grace):
    with time_machine.travel(SIGNED_AT, tick=False):
        body = _signed(api_as, world, with_grace)
    first, second = body["obligations"]
    assert first["due_date"] == second["due_date"] == "2026-03-06"

    # Monday 9 March: past the deadline, inside the grace period: the item is taken
    with time_machine.travel(_at(9), tick=False):
        supplied = _supply(api_as(world.applicant), first["id"])
        assert supplied.status_code == 201, supplied.json()
    # Tuesday 10 March (last day of grace): no breach yet
    result = obligation_warnings_sweep(now=_at(10, 20))
    assert result.breached == 0
    assert Obligation.objects.get(pk=second["id"]).status == Obligation.Status.PENDING

    # Wednesday 11 March: too late, refused by field, nothing stored
    with time_machine.travel(_at(11), tick=False):
        late = _supply(api_as(world.applicant), second["id"])
    assert late.status_code == 409
    assert set(late.json()) >= {"code", "message", "fields"}
    assert "due_date" in late.json()["fields"]
    assert "2026-03-10" in late.json()["message"]
    assert PerformanceReport.objects.filter(obligation_id=second["id"]).count() == 0

    # the night the grace period ended the sweep breached it and revoked the approval; the
    # item supplied in time is under review, so its breach is held, not recorded
    result = obligation_warnings_sweep(now=_at(11))
    assert result.breached == 1
    assert Obligation.objects.get(pk=second["id"]).status == Obligation.Status.BREACHED
    assert ApprovalConsequence.objects.get(obligation_id=second["id"]).consequence == "revoke"
    assert Obligation.objects.get(pk=first["id"]).status == Obligation.Status.PENDING
    assert not ApprovalConsequence.objects.filter(obligation_id=first["id"]).exists()


def test_the_department_accepts_and_rejects_supplied_items_over_the_api(world, api_as, with_grace):
    with time_machine.travel(SIGNED_AT, tick=False):
        body = _signed(api_as, world, with_grace)
    first, second = body["obligations"]
    with time_machine.travel(_at(4), tick=False):
        assert _supply(api_as(world.applicant), first["id"]).status_code == 201
        assert _supply(api_as(world.applicant), second["id"]).status_code == 201
    report_one = PerformanceReport.objects.get(obligation_id=first["id"])
    report_two = PerformanceReport.objects.get(obligation_id=second["id"])
    accept = f"/api/v1/obligations/reports/{report_one.pk}/accept/"
    reject = f"/api/v1/obligations/reports/{report_two.pk}/reject/"

    with time_machine.travel(_at(5), tick=False):
        # the applicant sees the report but may not decide it; another department does not
        # find it; an unknown report is not found: nothing changes
        for user, url, status in (
            (world.applicant, accept, 403),
            (world.foreign_regulator, accept, 404),
            (world.stranger, reject, 404),
            (world.regulator, "/api/v1/obligations/reports/999999/accept/", 404),
        ):
            refused = api_as(user).post(url, {"note": "x"}, format="json")
            assert refused.status_code == status, (user, url, refused.json())
            assert set(refused.json()) >= {"code", "message"}
        # a rejection without its reason, a note too long: refused by field
        for data in ({}, {"note": "   "}, {"note": "x" * 2001}):
            refused = api_as(world.regulator).post(reject, data, format="json")
            assert refused.status_code == 400, refused.json()
            assert "note" in refused.json()["fields"]
        assert PerformanceReport.objects.filter(status="submitted").count() == 2

        # the competent department accepts one item and rejects the other
        accepted = api_as(world.regulator).post(accept, {"note": "齐全"}, format="json")
        assert accepted.status_code == 200, accepted.json()
        assert accepted.json()["status"] == "fulfilled"
        assert accepted.json()["reports"][0]["status"] == "accepted"
        rejected = api_as(world.supervisor).post(reject, {"note": "盖章不清"}, format="json")
        assert rejected.status_code == 200, rejected.json()
        assert rejected.json()["status"] == "pending"
        assert rejected.json()["reports"][0]["decision_note"] == "盖章不清"

        # a decided report cannot be decided again
        again = api_as(world.regulator).post(accept, {}, format="json")
        assert again.status_code == 409
        assert "status" in again.json()["fields"]
    report_one.refresh_from_db()
    assert (report_one.decided_by, report_one.status) == (world.regulator, "accepted")
    assert report_one.history.first().history_user == world.regulator


def test_a_self_discipline_pledge_is_signed_verified_and_closed_over_the_api(world, api_as):
    template = TemplateFactory(
        matter=world.matter,
        code="catering-self-discipline",
        kind=CommitmentTemplate.Kind.SELF_DISCIPLINE,
        obligations=False,
    )
    body = _signed(api_as, world, template)
    assert (body["kind"], body["status"]) == ("self_discipline", "under_verification")
    reference = body["reference"]

    tasks = [
        task
        for user in (world.regulator, world.other_regulator)
        for task in api_as(user).get(INBOX).json()["results"]
    ] + api_as(world.regulator).get(QUEUE).json()["results"]
    [task] = tasks
    holder = world.other_regulator if task["owner"] == "regulator2" else world.regulator
    if task["owner"] is None:
        assert api_as(holder).post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    # an unknown finding: refused by field, nothing changed
    bad = api_as(holder).post(
        f"/api/v1/tasks/{task['id']}/verify/",
        {"method": "written", "finding": "maybe"},
        format="json",
    )
    assert bad.status_code == 400
    assert "finding" in bad.json()["fields"]
    assert Commitment.objects.get(reference=reference).status == "under_verification"

    verified = api_as(holder).post(
        f"/api/v1/tasks/{task['id']}/verify/",
        {"method": "written", "finding": "fulfilled"},
        format="json",
    )
    assert verified.status_code == 200, verified.json()
    detail = api_as(world.applicant).get(f"/api/v1/commitments/{reference}/").json()
    assert detail["status"] == "fulfilled"
    assert detail["kind"] == "self_discipline"
    assert [entry["to_status"] for entry in detail["timeline"]][-1] == "fulfilled"
