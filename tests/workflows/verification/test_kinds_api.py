"""Every kind this slice touches, over the API: accept now, supply later (items supplied and
accepted, an item missed and its consequence); the voluntary public commitment (published for
its term, never verified); withdrawal of a signed commitment before the decision. Each
refusal leaves everything as it was."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.verification import verification_record
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
from workflows.audit.models import TaskAuditEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIGNED_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
INBOX, QUEUE = "/api/v1/tasks/inbox/", "/api/v1/tasks/queue/"


def _create(client, world, template) -> dict:
    response = client.post(
        "/api/v1/commitments/create/",
        {
            "template_code": template.code,
            "template_version": 1,
            "subject": world.subject.code,
            "field_values": {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _sign(client, reference: str):
    return client.post(
        f"/api/v1/commitments/{reference}/sign/", {"password": "pw-12345678"}, format="json"
    )


def _supply(client, obligation_id: int, *, files=True):
    data = {"text": "补交材料 / item supplied"}
    if files:
        data["files"] = [SimpleUploadedFile("item.png", PNG, content_type="image/png")]
    return client.post(f"/api/v1/obligations/{obligation_id}/report/", data, format="multipart")


@pytest.fixture
def supply_later(world) -> CommitmentTemplate:
    """An accept-now-supply-later template: two missing items (5 and 10 working days), the
    approval suspended when one is missed, the breach on the day after its deadline."""
    template = TemplateFactory(
        matter=world.matter,
        code="food-permit-later",
        kind=CommitmentTemplate.Kind.SUPPLY_LATER,
        consequence=CommitmentTemplate.Consequence.SUSPEND,
        obligations=False,
    )
    for position, (zh, en, days) in enumerate(
        (("补交场所证明", "Supply the premises proof", 5), ("补交卫生制度", "Supply the rules", 10))
    ):
        ObligationRuleFactory(
            template=template,
            position=position,
            deadline=days,
            deadline_unit=DeadlineUnit.WORKING_DAYS,
            **both_languages(title=(zh, en)),
        )
    WarningPolicy.objects.create(template=template, grace_period=0)
    return template


@pytest.fixture
def voluntary(world) -> CommitmentTemplate:
    return TemplateFactory(
        matter=world.matter,
        code="food-voluntary",
        kind=CommitmentTemplate.Kind.VOLUNTARY_PUBLIC,
        publicity_days=30,
        obligations=False,
    )


def test_supply_later_lifecycle(world, api_as, supply_later):
    with time_machine.travel(SIGNED_AT, tick=False):
        applicant = api_as(world.applicant)
        draft = _create(applicant, world, supply_later)
        signed = _sign(applicant, draft["reference"])
        assert signed.status_code == 200, signed.json()
    body = signed.json()
    # the items are obligations with deadlines in working days, and the case is verified
    assert body["status"] == "under_verification"
    assert body["kind"] == "supply_later"
    first, second = sorted(body["obligations"], key=lambda o: o["due_date"])
    assert (first["due_date"], second["due_date"]) == ("2026-03-09", "2026-03-16")

    # the applicant supplies the first item (with its file) before its deadline
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI), tick=False):
        supplied = _supply(api_as(world.applicant), first["id"])
        assert supplied.status_code == 201, supplied.json()
        # an officer of the department accepts it
        officer = Client(headers={"accept-language": "en"})
        officer.force_login(world.regulator)
        report = PerformanceReport.objects.get(obligation_id=first["id"])
        accepted = officer.post(
            f"/commitments/obligations/reports/{report.pk}/accept/", {"note": "齐全"}
        )
        assert accepted.status_code == 302
    assert Obligation.objects.get(pk=first["id"]).status == Obligation.Status.FULFILLED

    # the second item is not supplied: the day after its deadline the sweep breaches it and
    # records the approval's stated consequence
    result = obligation_warnings_sweep(now=datetime.datetime(2026, 3, 17, 9, tzinfo=SHANGHAI))
    assert result.breached == 1
    assert Obligation.objects.get(pk=second["id"]).status == Obligation.Status.BREACHED
    consequence = ApprovalConsequence.objects.get(obligation_id=second["id"])
    assert consequence.consequence == "suspend"
    assert consequence.recorded_by.username  # attributable (the platform's system user)

    detail = api_as(world.applicant).get(f"/api/v1/commitments/{draft['reference']}/").json()
    [recorded] = detail["approval_consequences"]
    assert recorded["consequence"] == "suspend"
    assert "approval_consequence" in [entry["event"] for entry in detail["timeline"]]


def test_supply_later_refusals_change_nothing(world, api_as, supply_later):
    with time_machine.travel(SIGNED_AT, tick=False):
        applicant = api_as(world.applicant)
        draft = _create(applicant, world, supply_later)
        body = _sign(applicant, draft["reference"]).json()
    first, second = sorted(body["obligations"], key=lambda o: o["due_date"])

    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI), tick=False):
        # someone else's case: refused, nothing stored
        foreign = _supply(api_as(world.stranger), first["id"])
        assert foreign.status_code in (403, 404), foreign.json()
        # an item without its file
        empty = _supply(api_as(world.applicant), first["id"], files=False)
        assert empty.status_code == 400
        assert "files" in empty.json()["fields"]
        assert PerformanceReport.objects.count() == 0
        # supplied once, then again: the second is refused
        assert _supply(api_as(world.applicant), first["id"]).status_code == 201
        twice = _supply(api_as(world.applicant), first["id"])
        assert twice.status_code == 409
        assert "status" in twice.json()["fields"]
    # after its deadline
    with time_machine.travel(datetime.datetime(2026, 3, 17, 9, tzinfo=SHANGHAI), tick=False):
        late = _supply(api_as(world.applicant), second["id"])
        assert late.status_code == 409
        assert "due_date" in late.json()["fields"]
    assert PerformanceReport.objects.count() == 1
    assert Obligation.objects.get(pk=second["id"]).status == Obligation.Status.PENDING

    # no finding of "fulfilled" while items are still to be supplied
    commitment = Commitment.objects.get(reference=draft["reference"])
    with pytest.raises(CommitmentError) as refused:
        verification_record(
            commitment=commitment, regulator=world.regulator, method="written", finding="fulfilled"
        )
    assert refused.value.field == "finding"
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.UNDER_VERIFICATION


def test_voluntary_public_commitment_is_published_for_its_term(world, api_as, voluntary):
    with time_machine.travel(SIGNED_AT, tick=False):
        applicant = api_as(world.applicant)
        draft = _create(applicant, world, voluntary)
        signed = _sign(applicant, draft["reference"])
        assert signed.status_code == 200, signed.json()
        body = signed.json()
        # signed, published, never verified: no process, no task, no obligation
        assert body["status"] == "signed"
        assert body["published_until"] == "2026-03-31"
        assert body["obligations"] == []
        commitment = Commitment.objects.get(reference=draft["reference"])
        assert commitment.process_id is None and commitment.department_id is None
        assert api_as(world.regulator).get(QUEUE).json()["count"] == 0
        # on the public portal, filtered by kind, with its own page
        listed = Client().get("/api/v1/portal/commitments/?kind=voluntary_public").json()
        assert [row["reference"] for row in listed["results"]] == [draft["reference"]]
        assert listed["results"][0]["kind"] == "voluntary_public"
        assert Client().get("/api/v1/portal/commitments/?kind=credit_repair").json()["count"] == 0
        detail = Client().get(f"/api/v1/portal/commitments/{draft['reference']}/")
        assert detail.status_code == 200
        assert detail.json()["particulars"]
        page = Client().get(f"/portal/commitments/{draft['reference']}/")
        assert page.status_code == 200
        assert Client().get("/api/v1/portal/commitments/?kind=nonsense").status_code == 400

    # when the term ends it leaves the portal by itself
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI), tick=False):
        listed = Client().get("/api/v1/portal/commitments/?kind=voluntary_public").json()
        assert listed["count"] == 0
        assert Client().get(f"/api/v1/portal/commitments/{draft['reference']}/").status_code == 404
        assert Client().get(f"/portal/commitments/{draft['reference']}/").status_code == 404


def test_withdraw_before_the_decision_cancels_the_verification(world, api_as):
    applicant = api_as(world.applicant)
    draft = _create(applicant, world, world.template)
    assert _sign(applicant, draft["reference"]).status_code == 200
    commitment = Commitment.objects.get(reference=draft["reference"])
    open_tasks = list(
        Task.objects.filter(process_id=commitment.process_id, status__in=["NEW", "ASSIGNED"])
    )
    assert open_tasks

    # without a reason: refused, nothing changed
    blank = applicant.post(f"/api/v1/commitments/{draft['reference']}/withdraw/", {}, format="json")
    assert blank.status_code == 400
    assert "reason" in blank.json()["fields"]
    # someone else: not found, nothing changed
    foreign = api_as(world.stranger).post(
        f"/api/v1/commitments/{draft['reference']}/withdraw/", {"reason": "x"}, format="json"
    )
    assert foreign.status_code == 404
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.UNDER_VERIFICATION

    withdrawn = applicant.post(
        f"/api/v1/commitments/{draft['reference']}/withdraw/",
        {"reason": "改走一般程序，提交全部证明材料"},
        format="json",
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    body = withdrawn.json()
    assert body["status"] == "withdrawn"
    assert body["withdrawn_by"] == world.applicant.username
    assert body["withdrawal_reason"] == "改走一般程序，提交全部证明材料"
    entry = [e for e in body["timeline"] if e["event"] == "withdrawn"][-1]
    assert entry["from_status"] == "under_verification"
    assert entry["reason"] == "改走一般程序，提交全部证明材料"
    # the verification is cancelled: process, tasks, timers and the queue
    commitment.refresh_from_db()
    assert commitment.process.status == PROCESS.CANCELED
    assert not Task.objects.filter(
        process_id=commitment.process_id, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED]
    ).exists()
    for user in (world.regulator, world.other_regulator):
        assert api_as(user).get(INBOX).json()["count"] == 0
    assert api_as(world.regulator).get(QUEUE).json()["count"] == 0
    assert all(o["status"] == "withdrawn" for o in body["obligations"])
    # each cancelled task is in the task audit: who, when, from which state, held by whom, why
    for task in open_tasks:
        [entry] = TaskAuditEntry.objects.filter(task=task, kind=TaskAuditEntry.Kind.CANCELLED)
        assert entry.actor == world.applicant
        assert entry.from_status == task.status
        assert entry.from_user_id == task.owner_id
        assert entry.reason.endswith("改走一般程序，提交全部证明材料")
        assert entry.at is not None

    # a withdrawn commitment cannot be withdrawn again
    again = applicant.post(
        f"/api/v1/commitments/{draft['reference']}/withdraw/", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409


def test_withdraw_after_the_decision_is_refused(world, api_as):
    applicant = api_as(world.applicant)
    draft = _create(applicant, world, world.template)
    assert _sign(applicant, draft["reference"]).status_code == 200
    commitment = Commitment.objects.get(reference=draft["reference"])
    verification_record(
        commitment=commitment, regulator=world.regulator, method="written", finding="fulfilled"
    )
    before = commitment.history.count()

    refused = applicant.post(
        f"/api/v1/commitments/{draft['reference']}/withdraw/", {"reason": "晚了"}, format="json"
    )
    assert refused.status_code == 409
    assert "status" in refused.json()["fields"]
    assert "before the verification decision" in refused.json()["message"]
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.FULFILLED
    assert commitment.history.count() == before
