"""Deadline extensions: an officer extends a deadline with a reason and the plan (and the
flow's timer) follows; bad extensions change nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import DeadlineExtension, Obligation
from commitments.obligations.services.extensions import obligation_extend_deadline
from commitments.obligations.services.sweep import obligation_warnings_sweep
from directory.calendar import add_working_days
from tests.commitments.obligations.conftest import (
    DUE_DATE,
    SHANGHAI,
    at,
    plan_of,
)
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.deadlines import verification_deadline_extend

EXTENDED = datetime.date(2026, 4, 30)


def test_an_officer_extends_the_deadline_and_unsent_steps_follow(world, obligation):
    # given the first warning already went out on 19 March
    with time_machine.travel(at(datetime.date(2026, 3, 19), 9, 5), tick=False):
        obligation_warnings_sweep()

    # when the regulator extends the deadline on 20 March
    with time_machine.travel(at(datetime.date(2026, 3, 20), 11), tick=False):
        extension = obligation_extend_deadline(
            obligation=obligation,
            by=world.regulator,
            new_due_date=EXTENDED,
            reason="场所装修延期，申请人已提交说明",
        )

    # then the extension is recorded with who, when and why
    obligation.refresh_from_db()
    assert obligation.due_date == EXTENDED
    assert obligation.due_basis["extended_from"] == "2026-03-30"
    assert (extension.previous_due, extension.new_due, extension.extended_by) == (
        DUE_DATE,
        EXTENDED,
        world.regulator,
    )
    latest = obligation.history.latest()
    assert latest.history_user == world.regulator
    assert latest.history_change_reason == (
        "deadline extended from 2026-03-30 to 2026-04-30: 场所装修延期，申请人已提交说明"
    )
    # the warning already sent stays sent; the others move to the new date (30 April)
    plan = plan_of(obligation)
    assert plan[("before", 7, "applicant")] == (at(datetime.date(2026, 3, 19)), "done")
    assert plan[("before", 1, "applicant")] == (at(datetime.date(2026, 4, 29)), "pending")
    assert plan[("at", 0, "applicant")] == (at(EXTENDED), "pending")
    # grace: Labour Day (1–5 May) skipped, Saturday 9 May is a working day (调休)
    assert plan["breach"] == (
        datetime.datetime(2026, 5, 11, 23, 59, 59, tzinfo=SHANGHAI),
        "pending",
    )


@pytest.mark.parametrize(
    ("new_due_date", "reason", "field", "message"),
    [
        (
            datetime.date(2026, 3, 19),
            "理由",
            "new_due_date",
            "The new due date cannot be in the past.",
        ),
        (
            datetime.date(2026, 3, 27),
            "理由",
            "new_due_date",
            "The new due date must be after the current one (2026-03-30).",
        ),
        (
            DUE_DATE,
            "理由",
            "new_due_date",
            "The new due date must be after the current one (2026-03-30).",
        ),
        (EXTENDED, "   ", "reason", "Give the reason for the extension."),
        (
            None,
            "理由",
            "new_due_date",
            "Give either the new due date or a number of working days.",
        ),
    ],
)
def test_a_bad_extension_is_refused_and_changes_nothing(
    world, obligation, new_due_date, reason, field, message
):
    before = plan_of(obligation)

    with (
        time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False),
        pytest.raises(CommitmentError) as refusal,
    ):
        obligation_extend_deadline(
            obligation=obligation, by=world.regulator, new_due_date=new_due_date, reason=reason
        )

    assert (refusal.value.code, refusal.value.field, str(refusal.value.message)) == (
        ErrorCode.INVALID,
        field,
        message,
    )
    obligation.refresh_from_db()
    assert obligation.due_date == DUE_DATE
    assert DeadlineExtension.objects.count() == 0
    assert plan_of(obligation) == before


def test_an_officer_extends_by_working_days_on_the_official_calendar(world, obligation):
    # given: an obligation due Monday 2026-03-30
    expected = add_working_days(DUE_DATE, 5)

    # when: it is extended by five working days
    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        extension = obligation_extend_deadline(
            obligation=obligation, by=world.regulator, working_days=5, reason="清明节顺延"
        )

    # then: counted on the official calendar (the weekend and the holiday skipped), and said so
    obligation.refresh_from_db()
    assert obligation.due_date == extension.new_due == expected.due_date
    assert expected.skipped >= 2
    assert obligation.due_basis == {
        **expected.as_basis(),
        "extended_from": DUE_DATE.isoformat(),
        "extension_reason": "清明节顺延",
    }
    assert extension.previous_due == DUE_DATE


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        (
            {"new_due_date": EXTENDED, "working_days": 5},
            "new_due_date",
            "Give either the new due date or a number of working days.",
        ),
        ({"working_days": 0}, "working_days", "Give between 1 and 365 working days."),
        ({"working_days": 366}, "working_days", "Give between 1 and 365 working days."),
        ({"working_days": True}, "working_days", "Give between 1 and 365 working days."),
    ],
)
def test_a_bad_working_day_extension_is_refused_and_changes_nothing(
    world, obligation, given, field, message
):
    before = plan_of(obligation)

    with (
        time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False),
        pytest.raises(CommitmentError) as refusal,
    ):
        obligation_extend_deadline(
            obligation=obligation, by=world.regulator, reason="理由", **given
        )

    assert (refusal.value.field, str(refusal.value.message)) == (field, message)
    obligation.refresh_from_db()
    assert obligation.due_date == DUE_DATE
    assert DeadlineExtension.objects.count() == 0
    assert plan_of(obligation) == before


@pytest.mark.parametrize("who", ["applicant", "foreign_regulator", "stranger"])
def test_only_an_officer_of_the_department_can_extend(world, obligation, who):
    with pytest.raises(CommitmentError) as refusal:
        obligation_extend_deadline(
            obligation=obligation, by=getattr(world, who), new_due_date=EXTENDED, reason="理由"
        )

    assert refusal.value.code == ErrorCode.FORBIDDEN
    assert Obligation.objects.get(pk=obligation.pk).due_date == DUE_DATE


def test_a_decided_obligation_keeps_its_deadline(world, obligation):
    with time_machine.travel(at(datetime.date(2026, 4, 8), 0, 5), tick=False):
        obligation_warnings_sweep()  # the grace period passed: breach recorded
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.BREACHED

    with (
        time_machine.travel(at(datetime.date(2026, 4, 8)), tick=False),
        pytest.raises(CommitmentError) as refusal,
    ):
        obligation_extend_deadline(
            obligation=obligation, by=world.regulator, new_due_date=EXTENDED, reason="理由"
        )

    assert refusal.value.code == ErrorCode.INVALID_STATE
    assert (
        str(refusal.value.message)
        == "This obligation is Breached; its deadline can no longer change."
    )
    assert DeadlineExtension.objects.count() == 0


def _timer(commitment) -> Task:
    return Task.objects.get(
        process_id=commitment.process_id, flow_task=InformCommitFlow.verification_overdue
    )


def test_extending_the_verification_window_moves_the_armed_timer(world, signed):
    assert _timer(signed).scheduled == signed.verification_due_at
    new_due = datetime.date(2026, 5, 29)

    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        extension = verification_deadline_extend(
            commitment=signed, by=world.supervisor, new_due_date=new_due, reason="需补充现场核查"
        )

    signed.refresh_from_db()
    expected = datetime.datetime(2026, 5, 29, 23, 59, 59, tzinfo=SHANGHAI)
    assert signed.verification_due_at == expected
    assert extension.kind == DeadlineExtension.Kind.VERIFICATION
    timer = _timer(signed)
    assert (timer.status, timer.scheduled) == (STATUS.SCHEDULED, expected)


def test_a_refused_verification_extension_leaves_the_timer_alone(world, signed):
    armed = _timer(signed).scheduled

    with (
        time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False),
        pytest.raises(CommitmentError) as refusal,
    ):
        verification_deadline_extend(
            commitment=signed,
            by=world.regulator,
            new_due_date=datetime.date(2026, 3, 1),
            reason="理由",
        )

    assert refusal.value.field == "new_due_date"
    assert _timer(signed).scheduled == armed
    assert Commitment.objects.get(pk=signed.pk).verification_due_at == armed
    assert DeadlineExtension.objects.count() == 0
