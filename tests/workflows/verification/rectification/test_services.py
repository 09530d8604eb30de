"""Rectification (待整改): the order, the applicant's submission, the deadline and the
re-verification; every refusal leaves everything as it was."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import timeline_next_step, timeline_sentences
from directory.audit import SYSTEM_USERNAME
from notifications.models import Notification
from tests.workflows.conftest import task_of
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import (
    Rectification,
    RectificationEvidence,
    SamplingPolicy,
    VerificationTaskIndex,
)
from workflows.verification.services.rectification import (
    rectification_order,
    rectification_submit,
)
from workflows.verification.services.sampling import sampling_draw
from workflows.verification.services.work import verification_complete

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


class Upload:
    def __init__(self, name: str, content: bytes):
        self.name, self.content, self.size = name, content, len(content)

    def read(self, limit=None):
        return self.content


def _order(world, commitment, **kwargs) -> Rectification:
    arguments = {
        "method": "on_site",
        "gaps": "消毒柜未安装",
        "finding_evidence": "现场检查发现",
        "working_days": 5,
    }
    arguments.update(kwargs)
    return rectification_order(task=task_of(commitment), by=world.regulator, **arguments)


def test_an_order_waits_for_the_applicant_and_tells_them(world, submitted_commitment):
    rectification = _order(world, submitted_commitment)

    commitment = Commitment.objects.get(pk=submitted_commitment.pk)
    assert commitment.status == Commitment.Status.UNDER_VERIFICATION  # no final finding yet
    assert rectification.status == Rectification.Status.ORDERED
    # the deadline is 5 working days from today on the official calendar, end of day
    assert rectification.due_basis["count"] == 5
    assert timezone.localtime(rectification.due_at).time() == datetime.time(23, 59, 59)
    assert task_of(commitment).status == STATUS.DONE
    waiting = task_of(commitment, InformCommitFlow.await_rectification)
    assert waiting.status == STATUS.NEW
    # the applicant is told, with a link to the order
    notice = Notification.objects.get(recipient=world.applicant, key__contains="rectification")
    assert notice.link == f"/commitments/{commitment.reference}/rectification/"
    # the timeline says it, attributable, and the next step is the applicant's
    events = [entry["event"] for entry in timeline_sentences(commitment=commitment)]
    assert events[-1] == "rectification_ordered"
    assert (
        "regulator ordered rectification" in timeline_sentences(commitment=commitment)[-1]["text"]
    )
    assert "submit it with evidence" in timeline_next_step(commitment=commitment)


def test_submission_then_reverification_fulfilled(world, submitted_commitment):
    _order(world, submitted_commitment)

    rectification = rectification_submit(
        reference=submitted_commitment.reference,
        by=world.applicant,
        text="已安装消毒柜",
        files=[Upload("photo.png", PNG)],
    )

    assert rectification.status == Rectification.Status.SUBMITTED
    assert RectificationEvidence.objects.filter(stage="submission").count() == 1
    reverify = task_of(submitted_commitment, InformCommitFlow.reverify)
    # the regulator who ordered it verifies again
    assert (reverify.status, reverify.owner) == (STATUS.ASSIGNED, world.regulator)
    verification_complete(task=reverify, by=world.regulator, method="on_site", finding="fulfilled")
    commitment = Commitment.objects.get(pk=submitted_commitment.pk)
    assert commitment.status == Commitment.Status.FULFILLED
    assert Rectification.objects.get().status == Rectification.Status.FULFILLED
    events = [entry["event"] for entry in timeline_sentences(commitment=commitment)]
    assert events[-3:] == ["rectification_ordered", "rectification_submitted", "fulfilled"]


def test_at_the_deadline_without_a_submission_reverification_is_due(world, submitted_commitment):
    rectification = _order(world, submitted_commitment)

    with time_machine.travel(rectification.due_at + datetime.timedelta(seconds=1)):
        assert fire_due_timers() == 1
        # too late to submit now
        with pytest.raises(WorkflowError) as refused:
            rectification_submit(
                reference=submitted_commitment.reference, by=world.applicant, text="晚了"
            )
    assert refused.value.field == "status"
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.DUE
    # the applicant's wait, cancelled by the timer, is audited as the platform's
    waiting = task_of(submitted_commitment, InformCommitFlow.await_rectification)
    entry = TaskAuditEntry.objects.get(task=waiting, kind=TaskAuditEntry.Kind.CANCELLED)
    assert (entry.actor.username, entry.from_status) == (SYSTEM_USERNAME, STATUS.NEW)
    assert entry.reason.startswith("rectification deadline passed at ")
    reverify = task_of(submitted_commitment, InformCommitFlow.reverify)
    assert reverify.status == STATUS.ASSIGNED
    verification_complete(
        task=reverify,
        by=world.regulator,
        method="on_site",
        finding="breached",
        reason="逾期未整改",
    )
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == Commitment.Status.BREACHED
    assert Rectification.objects.get().status == Rectification.Status.BREACHED


def _nothing_changed(commitment) -> None:
    assert not Rectification.objects.exists()
    assert task_of(commitment).status in (STATUS.NEW, STATUS.ASSIGNED)
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.UNDER_VERIFICATION


def test_a_deadline_in_the_past_is_refused(world, submitted_commitment):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(WorkflowError) as refused:
        _order(world, submitted_commitment, working_days=None, due_date=yesterday)
    assert (refused.value.field, refused.value.message) == (
        "due_date",
        "The rectification deadline must be after today.",
    )
    _nothing_changed(submitted_commitment)


def test_zero_working_days_is_refused(world, submitted_commitment):
    with pytest.raises(WorkflowError) as refused:
        _order(world, submitted_commitment, working_days=0)
    assert refused.value.field == "working_days"
    _nothing_changed(submitted_commitment)


def test_a_rectification_on_a_closed_case_is_refused(world, submitted_commitment):
    task = task_of(submitted_commitment)
    verification_complete(task=task, by=world.regulator, method="written", finding="fulfilled")

    with pytest.raises(WorkflowError) as refused:
        _order(world, submitted_commitment)

    assert refused.value.field == "status"
    assert not Rectification.objects.exists()
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == Commitment.Status.FULFILLED


def test_rectifying_twice_is_refused(world, submitted_commitment):
    _order(world, submitted_commitment)
    rectification_submit(reference=submitted_commitment.reference, by=world.applicant, text="改")
    reverify = task_of(submitted_commitment, InformCommitFlow.reverify)

    with pytest.raises(WorkflowError) as refused:
        rectification_order(
            task=reverify, by=world.regulator, method="written", gaps="再改", working_days=3
        )

    assert refused.value.field == "finding"
    assert Rectification.objects.count() == 1
    assert task_of(submitted_commitment, InformCommitFlow.reverify).status == STATUS.ASSIGNED


def test_submitting_twice_is_refused(world, submitted_commitment):
    _order(world, submitted_commitment)
    rectification_submit(reference=submitted_commitment.reference, by=world.applicant, text="改")

    with pytest.raises(WorkflowError) as refused:
        rectification_submit(
            reference=submitted_commitment.reference, by=world.applicant, text="又改"
        )

    assert refused.value.field == "status"
    assert Rectification.objects.get().submission == "改"


def test_evidence_on_someone_elses_case_is_refused(world, submitted_commitment):
    _order(world, submitted_commitment)

    with pytest.raises(WorkflowError) as refused:
        rectification_submit(
            reference=submitted_commitment.reference,
            by=world.stranger,
            text="不是我的",
            files=[Upload("photo.png", PNG)],
        )

    assert refused.value.code == "not_found"
    rectification = Rectification.objects.get()
    assert (rectification.status, rectification.submission) == ("ordered", "")
    assert not RectificationEvidence.objects.exists()


def test_an_empty_order_is_refused_with_its_field(world, submitted_commitment):
    with pytest.raises(WorkflowError) as refused:
        _order(world, submitted_commitment, gaps="  ")
    assert refused.value.field == "gaps"
    _nothing_changed(submitted_commitment)


def test_a_regulator_of_another_department_cannot_order(world, submitted_commitment):
    with pytest.raises(WorkflowError) as refused:
        rectification_order(
            task=task_of(submitted_commitment),
            by=world.foreign_regulator,
            method="written",
            gaps="x",
            working_days=3,
        )
    assert refused.value.code == "not_found"
    _nothing_changed(submitted_commitment)


def test_a_spot_checked_commitment_is_ordered_on_site_only(world, submitted_commitment):
    VerificationTaskIndex.objects.filter(task=task_of(submitted_commitment)).update(
        is_spot_check=True
    )
    with pytest.raises(WorkflowError) as refused:
        _order(world, submitted_commitment, method="written")
    assert refused.value.field == "method"
    _nothing_changed(submitted_commitment)


def test_a_spot_check_drawn_case_stays_one_with_its_draw_through_reverification(
    world, submitted_commitment
):
    # given the case was drawn for an on-site spot check (every grade A case is drawn)
    SamplingPolicy.objects.create(
        grade="A", ratio_min=1, ratio_max=1, effective_from=timezone.localdate()
    )
    draw = sampling_draw(department=world.department, by=world.supervisor)
    task = task_of(submitted_commitment)
    assert draw.selected["A"] == [task.pk]
    # when the regulator orders a rectification and the deadline passes unsubmitted
    rectification = _order(world, submitted_commitment)
    assert (rectification.is_spot_check, rectification.spot_check_draw_id) == (True, draw.pk)
    with time_machine.travel(rectification.due_at + datetime.timedelta(seconds=1)):
        assert fire_due_timers() == 1
    # then the re-verification is still an on-site spot check of that draw
    reverify = task_of(submitted_commitment, InformCommitFlow.reverify)
    row = VerificationTaskIndex.objects.get(task_id=reverify.pk)
    assert (row.is_spot_check, row.method, row.spot_check_draw_id) == (True, "on_site", draw.pk)
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.regulator)
    page = client.get(f"/regulator/tasks/{reverify.pk}/").content.decode()
    assert 'data-testid="spot-check"' in page and f"(draw {draw.pk})" in page
    # and verifying it otherwise than on site is refused, nothing changed
    with pytest.raises(WorkflowError) as refused:
        verification_complete(
            task=reverify, by=world.regulator, method="written", finding="fulfilled"
        )
    assert refused.value.field == "method"
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == "under_verification"
    verification = verification_complete(
        task=reverify,
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
        inspected_on=timezone.localdate(),
        inspection_location="深圳市南山区科技园1号",
    )
    assert verification.detail.is_spot_check is True


def test_a_case_not_drawn_is_reverified_without_the_spot_check_flag(world, submitted_commitment):
    rectification = _order(world, submitted_commitment, method="written")
    assert (rectification.is_spot_check, rectification.spot_check_draw_id) == (False, None)
    rectification_submit(
        reference=submitted_commitment.reference,
        by=world.applicant,
        text="已整改",
        files=[Upload("photo.png", PNG)],
    )
    reverify = task_of(submitted_commitment, InformCommitFlow.reverify)
    row = VerificationTaskIndex.objects.get(task_id=reverify.pk)
    assert (row.is_spot_check, row.spot_check_draw_id) == (False, None)
