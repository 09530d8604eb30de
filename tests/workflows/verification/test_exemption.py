"""Exemption from verification (ADR 0032): where the matter's rule allows it, a grade A subject's
commitment is not verified; it is recorded (rule, grade, who, when), shown in the timeline, to
the regulator and over the API, counted apart in the figures, and may still be drawn for an
on-site spot check until its window closes if the rule says so."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from commitments.catalogue.models import CommitmentTemplate, ExemptionRule
from commitments.lifecycle.models import Commitment, VerificationExemption
from credit.record.selectors import risk_grade
from directory.audit import SYSTEM_USERNAME
from tests.factories import ExemptionRuleFactory
from tests.workflows.conftest import submit_commitment, task_of
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError
from workflows.figures.selectors import fulfilment_figures
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import SamplingDraw, VerificationTaskIndex
from workflows.verification.services.sampling import (
    exempt_waiting,
    sampling_draw,
    sampling_replay,
)
from workflows.verification.services.work import verification_complete

QUEUE = "/api/v1/tasks/queue/"


def _rule(world, **kwargs) -> ExemptionRule:
    return ExemptionRuleFactory(matter=world.matter, **kwargs)


def _withdraw(client, commitment: Commitment, reason: str):
    """The applicant withdraws the commitment over the API, saying why."""
    return client.post(
        f"/api/v1/commitments/{commitment.reference}/withdraw/", {"reason": reason}, format="json"
    )


def test_an_exempt_commitment_nobody_may_draw_is_closed_as_exempt_at_once(world, api_as):
    rule = _rule(world, spot_checks_drawn=False)
    assert risk_grade(subject_id=world.subject.pk) == "A"

    commitment = submit_commitment(world)

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.EXEMPT
    assert commitment.decided_at is not None
    # recorded: which rule, which grade, by whom, when
    exemption = VerificationExemption.objects.get(commitment=commitment)
    assert (exemption.rule, exemption.grade, exemption.status) == (rule, "A", "closed")
    assert exemption.exempted_by.username == SYSTEM_USERNAME
    assert exemption.exempted_at and exemption.closed_at
    # nobody has a task; the process ended as exempt
    assert not VerificationTaskIndex.objects.filter(commitment=commitment).exists()
    assert not Task.objects.filter(
        process_id=commitment.process_id, flow_task=InformCommitFlow.verify
    )
    assert task_of(commitment, InformCommitFlow.end_exempt).status == STATUS.DONE
    assert api_as(world.regulator).get(QUEUE).json()["count"] == 0

    # the regulator and the applicant see it over the API, with its timeline
    for user in (world.regulator, world.applicant):
        body = api_as(user).get(f"/api/v1/commitments/{commitment.reference}/").json()
        assert body["status"] == "exempt"
        assert body["exemption"]["rule"] == rule.pk
        assert body["exemption"]["grade"] == "A"
        assert body["exemption"]["exempted_by"] == SYSTEM_USERNAME
        assert body["exemption"]["status"] == "closed"
        events = [entry["event"] for entry in body["timeline"]]
        assert "exempted" in events and events[-1] == "exempt"
    # and on the commitment's page, in both languages
    for language, words in (("en", "exempted from verification"), ("zh-hans", "免于核查")):
        page = Client(headers={"accept-language": language})
        page.force_login(world.regulator)
        html = page.get(f"/commitments/{commitment.reference}/").content.decode()
        assert words in html, language
        assert rule.legal_basis in html

    # the figures count it apart: not verified, so not in the fulfilment rate
    figures = fulfilment_figures(until=timezone.localdate(), months=1)
    assert (figures.total.decided, figures.total.exempt) == (0, 1)
    answer = api_as(world.regulator).get("/api/v1/figures/?months=1").json()
    assert answer["total"]["exempt"] == 1 and answer["total"]["decided"] == 0


def test_an_exempt_commitment_waits_for_a_draw_then_closes_when_its_window_ends(world, api_as):
    _rule(world, spot_checks_drawn=True)
    commitment = submit_commitment(world)

    # exempt, still under verification, waiting in no regulator's queue
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.UNDER_VERIFICATION
    assert VerificationExemption.objects.get(commitment=commitment).status == "open"
    waiting = task_of(commitment, InformCommitFlow.exempted)
    assert waiting.status == STATUS.NEW
    assert api_as(world.regulator).get(QUEUE).json()["count"] == 0
    body = api_as(world.applicant).get(f"/api/v1/commitments/{commitment.reference}/").json()
    assert body["exemption"]["spot_checks_drawn"] is True
    assert (
        "drawn for an on-site spot check until"
        in [e for e in body["timeline"] if e["event"] == "exempted"][0]["label"]
    )

    # the window closes undrawn: the timer closes it as exempt (the platform)
    with time_machine.travel(commitment.verification_due_at + datetime.timedelta(minutes=1)):
        assert fire_due_timers() >= 1
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.EXEMPT
    assert VerificationExemption.objects.get(commitment=commitment).status == "closed"
    assert Task.objects.get(pk=waiting.pk).status == STATUS.CANCELED
    assert commitment.history.first().history_user.username == SYSTEM_USERNAME
    # the timer's cancel of the waiting task is audited: the platform, from new, why
    entry = TaskAuditEntry.objects.get(task=waiting)
    assert entry.kind == TaskAuditEntry.Kind.CANCELLED
    assert entry.actor.username == SYSTEM_USERNAME
    assert entry.from_status == STATUS.NEW
    assert entry.reason.startswith("verification window closed at ")
    assert "closed as exempt" in entry.reason


def test_a_drawn_exempt_commitment_is_verified_on_site_and_counted(
    world, api_as, every_grade_a_drawn
):
    _rule(world, spot_checks_drawn=True)
    commitment = submit_commitment(world)
    waiting = task_of(commitment, InformCommitFlow.exempted)

    draw = sampling_draw(department=world.department, by=world.supervisor)

    # the draw took it among grade A, and replays the same
    assert waiting.pk in draw.inputs["exempt"]
    assert draw.selected["A"] == [waiting.pk]
    assert sampling_replay(draw=draw) == draw.selected
    exemption = VerificationExemption.objects.get(commitment=commitment)
    assert (exemption.status, exemption.draw_number) == ("drawn", draw.pk)
    # a verification task follows, an on-site spot check of that draw
    task = task_of(commitment)
    row = VerificationTaskIndex.objects.get(task_id=task.pk)
    assert row.is_spot_check and row.method == "on_site"
    assert row.spot_check_draw_id == draw.pk
    events = [
        entry["event"]
        for entry in api_as(world.applicant)
        .get(f"/api/v1/commitments/{commitment.reference}/")
        .json()["timeline"]
    ]
    assert "exemption_drawn" in events

    # verified otherwise than on site: refused, nothing changed
    holder = task.owner or world.regulator
    with pytest.raises(WorkflowError) as refused:
        verification_complete(task=task, by=holder, method="written", finding="fulfilled")
    assert refused.value.field == "method"
    assert Commitment.objects.get(pk=commitment.pk).status == "under_verification"
    verification_complete(
        task=task,
        by=holder,
        method="on_site",
        finding="fulfilled",
        inspected_on=timezone.localdate(),
        inspection_location="深圳市南山区科技园1号",
    )
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.FULFILLED
    figures = fulfilment_figures(until=timezone.localdate(), months=1)
    assert (figures.total.decided, figures.total.fulfilled, figures.total.exempt) == (1, 1, 0)


@pytest.mark.parametrize(
    "rule_kwargs",
    [
        {"kind": CommitmentTemplate.Kind.SUPPLY_LATER},  # another kind's rule
        {"effective_until": datetime.date(2021, 1, 1)},  # a rule no longer in force
        {"effective_from": datetime.date(2099, 1, 1)},  # not yet in force
    ],
    ids=["other-kind", "ended", "future"],
)
def test_no_rule_in_force_for_the_kind_means_an_ordinary_verification(world, rule_kwargs):
    _rule(world, **rule_kwargs)
    commitment = submit_commitment(world)

    assert not VerificationExemption.objects.filter(commitment=commitment).exists()
    assert task_of(commitment).status in (STATUS.NEW, STATUS.ASSIGNED)


def test_a_subject_not_of_grade_a_is_never_exempt(world, monkeypatch):
    _rule(world)
    monkeypatch.setattr("commitments.lifecycle.services.exemption.risk_grade", lambda **kwargs: "B")
    commitment = submit_commitment(world)

    assert not VerificationExemption.objects.filter(commitment=commitment).exists()
    assert task_of(commitment).status in (STATUS.NEW, STATUS.ASSIGNED)


def test_a_bad_rule_is_refused_with_its_field(world):
    for kwargs, field in (
        ({"effective_until": datetime.date(2019, 1, 1)}, "effective_until"),
        ({"kind": CommitmentTemplate.Kind.VOLUNTARY_PUBLIC}, "kind"),
        ({"kind": "no-such-kind"}, "kind"),
    ):
        rule = ExemptionRule(
            **{
                "matter": world.matter,
                "effective_from": datetime.date(2020, 1, 1),
                "legal_basis": "依据",
                **kwargs,
            }
        )
        with pytest.raises(ValidationError) as refused:
            rule.full_clean()
        assert field in refused.value.message_dict, field
    assert ExemptionRule.objects.count() == 0


def test_the_rule_is_edited_in_the_admin(world, admin_client):
    rule = _rule(world)

    assert admin_client.get("/admin/commitments/exemptionrule/").status_code == 200
    assert (
        admin_client.get(f"/admin/commitments/exemptionrule/{rule.pk}/change/").status_code == 200
    )


def test_withdrawing_an_exempt_commitment_cancels_its_wait_and_audits_it(world, api_as):
    _rule(world, spot_checks_drawn=True)
    commitment = submit_commitment(world)
    waiting = task_of(commitment, InformCommitFlow.exempted)

    response = _withdraw(api_as(world.applicant), commitment, "改走一般程序")

    assert response.status_code == 200, response.json()
    assert Task.objects.get(pk=waiting.pk).status == STATUS.CANCELED
    entry = TaskAuditEntry.objects.get(task=waiting)
    assert entry.kind == TaskAuditEntry.Kind.CANCELLED
    assert entry.actor == world.applicant
    assert entry.from_status == STATUS.NEW
    assert "改走一般程序" in entry.reason
    assert SamplingDraw.objects.count() == 0
    # the exemption is no longer open: ended by the withdrawal, who, when, from which state, why
    exemption = VerificationExemption.objects.get(commitment=commitment)
    assert exemption.status == VerificationExemption.Status.WITHDRAWN
    assert (exemption.withdrawn_by, exemption.withdrawn_from) == (world.applicant, "open")
    assert exemption.withdrawal_reason == "改走一般程序"
    assert exemption.withdrawn_at == Commitment.objects.get(pk=commitment.pk).withdrawn_at
    last = exemption.history.first()
    assert (last.history_user, last.status) == (world.applicant, "withdrawn")
    assert exemption.history.all()[1].status == "open"
    # a later draw finds nothing to draw
    assert exempt_waiting(department=world.department, matter=None) == {}
    # shown over the API (applicant and regulator) and on the commitment's page
    for user in (world.applicant, world.regulator):
        body = api_as(user).get(f"/api/v1/commitments/{commitment.reference}/").json()
        assert body["exemption"]["status"] == "withdrawn"
        assert body["exemption"]["withdrawn_by"] == world.applicant.username
        assert body["exemption"]["withdrawn_from"] == "open"
        assert body["exemption"]["withdrawal_reason"] == "改走一般程序"
        assert body["exemption"]["withdrawn_at"]
        assert "exemption_withdrawn" in [entry["event"] for entry in body["timeline"]]
    for language, words in (
        ("en", "the exemption from verification ended"),
        ("zh-hans", "免于核查终止"),
    ):
        page = Client(headers={"accept-language": language})
        page.force_login(world.applicant)
        html = page.get(f"/commitments/{commitment.reference}/").content.decode()
        assert words in html, language


def test_withdrawing_a_drawn_exempt_commitment_ends_its_exemption_from_drawn(
    world, api_as, every_grade_a_drawn
):
    _rule(world, spot_checks_drawn=True)
    commitment = submit_commitment(world)
    sampling_draw(department=world.department, by=world.supervisor)
    verify_task = task_of(commitment)

    response = _withdraw(api_as(world.applicant), commitment, "不再经营")

    assert response.status_code == 200, response.json()
    exemption = VerificationExemption.objects.get(commitment=commitment)
    assert (exemption.status, exemption.withdrawn_from) == ("withdrawn", "drawn")
    assert exemption.draw_number is not None  # the draw stays on record
    entry = TaskAuditEntry.objects.get(task=verify_task, kind=TaskAuditEntry.Kind.CANCELLED)
    assert entry.actor == world.applicant


def test_a_closed_exemption_is_not_changed_by_a_refused_withdrawal(world, api_as):
    _rule(world, spot_checks_drawn=False)
    commitment = submit_commitment(world)

    response = _withdraw(api_as(world.applicant), commitment, "改走一般程序")

    assert response.status_code == 409, response.json()
    exemption = VerificationExemption.objects.get(commitment=commitment)
    assert (exemption.status, exemption.withdrawn_at, exemption.withdrawn_from) == (
        "closed",
        None,
        "",
    )


def test_the_admin_refuses_a_rule_ending_before_it_starts_and_keeps_a_good_one(world, admin_client):
    form = {
        "matter": world.matter.pk,
        "kind": "",
        "spot_checks_drawn": "on",
        "effective_from": "2026-01-01",
        "effective_until": "2025-12-31",
        "legal_basis_zh_hans": "市场监管领域信用承诺制实施办法 第十二条",
        "legal_basis_en": "Credit commitment rules, art. 12",
    }

    refused = admin_client.post("/admin/commitments/exemptionrule/add/", form)

    assert refused.status_code == 200
    assert "A rule cannot end before it comes into force." in refused.content.decode()
    assert ExemptionRule.objects.count() == 0
    kept = admin_client.post(
        "/admin/commitments/exemptionrule/add/", {**form, "effective_until": ""}
    )
    assert kept.status_code == 302
    rule = ExemptionRule.objects.get()
    assert rule.history.first().history_user.is_superuser
