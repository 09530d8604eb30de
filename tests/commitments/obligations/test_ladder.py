"""The warning ladder: planned at signing on the official calendar, a step already past
skipped; a template nobody gave a ladder warns anyway, at each default step, to the right
people; a given ladder is kept; migration 0007 seeds existing templates and the backfill plans
obligations signed before."""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.management import call_command

from commitments.catalogue.models import ObligationRule
from commitments.obligations.models import Obligation, WarningPolicy, WarningSchedule, WarningStep
from commitments.obligations.services.ladder import warning_schedule_backfill
from commitments.obligations.services.sweep import obligation_warnings_sweep
from directory.models import DeadlineUnit
from notifications.models import OutboxMessage
from tests.commitments.obligations.conftest import (
    DUE_DATE,
    SHANGHAI,
    SIGNED_AT,
    at,
    install_ladder,
    plan_of,
)
from tests.factories import TemplateFactory
from tests.workflows.conftest import submit_commitment, task_of

# The obligations' warnings, not the e-mails that notifications of the submission wrote.
WARNINGS = OutboxMessage.objects.filter(key__startswith="warning:")

ALL = ["email", "sms", "inapp"]
DEFAULT = [
    ("before", 7, "working_days", "applicant", ["email", "inapp"]),
    ("before", 1, "working_days", "applicant", ALL),
    ("at", 0, "working_days", "applicant", ALL),
    ("after", 1, "working_days", "applicant", ALL),
    ("after", 1, "working_days", "regulator", ["email", "inapp"]),
    ("after", 5, "working_days", "applicant", ALL),
    ("after", 5, "working_days", "regulator", ["email", "inapp"]),
]


def _ladder(template) -> list[tuple]:
    return [
        (s.relative, s.offset, s.unit, s.audience, s.channels)
        for s in WarningStep.objects.filter(template=template).order_by("pk")
    ]


def _sign(world):
    with time_machine.travel(SIGNED_AT, tick=False):
        return submit_commitment(world)


def test_signing_plans_every_step_on_the_official_calendar(obligation):
    assert obligation.due_date == DUE_DATE

    assert plan_of(obligation) == {
        ("before", 7, "applicant"): (at(datetime.date(2026, 3, 19)), "pending"),
        ("before", 1, "applicant"): (at(datetime.date(2026, 3, 27)), "pending"),
        ("at", 0, "applicant"): (at(DUE_DATE), "pending"),
        ("after", 1, "applicant"): (at(datetime.date(2026, 3, 31)), "pending"),
        ("after", 1, "regulator"): (at(datetime.date(2026, 3, 31)), "pending"),
        # five working days of grace: 31 March, 1–3 April, then Qingming (4–6 April) skipped
        "breach": (
            datetime.datetime(2026, 4, 7, 23, 59, 59, tzinfo=SHANGHAI),
            "pending",
        ),
    }


def test_a_step_already_past_at_signing_is_skipped_not_sent(world):
    template = TemplateFactory(matter=world.matter, code="short", obligations=False)
    ObligationRule.objects.create(
        template=template, title="三日内公示", deadline=3, deadline_unit=DeadlineUnit.WORKING_DAYS
    )
    install_ladder(template)
    world.template = template

    with time_machine.travel(SIGNED_AT, tick=False):
        commitment = submit_commitment(world)

    obligation = Obligation.objects.get(commitment=commitment)
    plan = plan_of(obligation)
    assert plan[("before", 7, "applicant")][1] == "skipped"
    assert plan[("before", 1, "applicant")][1] == "pending"


def test_signing_under_a_template_without_a_ladder_installs_the_default_one(world):
    assert _ladder(world.template) == []

    commitment = _sign(world)

    assert _ladder(world.template) == DEFAULT
    step = WarningStep.objects.filter(template=world.template).first()
    assert step.history.get().history_change_reason == "default warning ladder"
    obligation = Obligation.objects.get(commitment=commitment)
    planned = [
        (row.step.relative, row.step.offset, row.step.audience, row.due_at, row.status)
        for row in WarningSchedule.objects.filter(obligation=obligation).select_related("step")
    ]
    # due Monday 30 March; 5 working days of grace end on 7 April (Qingming 4-6 April is off)
    assert planned == [
        ("before", 7, "applicant", at(datetime.date(2026, 3, 19)), "pending"),
        ("before", 1, "applicant", at(datetime.date(2026, 3, 27)), "pending"),
        ("at", 0, "applicant", at(datetime.date(2026, 3, 30)), "pending"),
        ("after", 1, "applicant", at(datetime.date(2026, 3, 31)), "pending"),
        ("after", 1, "regulator", at(datetime.date(2026, 3, 31)), "pending"),
        ("after", 5, "applicant", at(datetime.date(2026, 4, 7)), "pending"),
        ("after", 5, "regulator", at(datetime.date(2026, 4, 7)), "pending"),
    ]
    # without a breach policy the default ladder warns but records no breach
    assert not WarningSchedule.objects.filter(obligation=obligation, kind="breach").exists()


def test_a_template_without_a_ladder_warns_at_each_default_step(world):
    commitment = _sign(world)
    obligation = Obligation.objects.get(commitment=commitment)
    regulator = task_of(commitment).owner
    assert regulator == world.regulator
    expected = [
        (
            at(datetime.date(2026, 3, 19), 9, 1),
            {(world.applicant, "email"), (world.applicant, "inapp")},
        ),
        (at(datetime.date(2026, 3, 27), 9, 1), {(world.applicant, c) for c in ALL}),
        (at(datetime.date(2026, 3, 30), 9, 1), {(world.applicant, c) for c in ALL}),
        (
            at(datetime.date(2026, 3, 31), 9, 1),
            {(world.applicant, c) for c in ALL} | {(regulator, "email"), (regulator, "inapp")},
        ),
        (
            at(datetime.date(2026, 4, 7), 9, 1),
            {(world.applicant, c) for c in ALL} | {(regulator, "email"), (regulator, "inapp")},
        ),
    ]
    seen = 0
    for (instant, recipients), steps in zip(expected, [1, 1, 1, 2, 2], strict=True):
        # the instant just before the step: nothing new
        with time_machine.travel(instant - datetime.timedelta(minutes=2), tick=False):
            assert obligation_warnings_sweep().warned == 0
        with time_machine.travel(instant, tick=False):
            result = obligation_warnings_sweep()
            again = obligation_warnings_sweep()
        new = list(WARNINGS.order_by("pk")[seen:])
        seen += len(new)

        assert (result.warned, again.warned) == (steps, 0)
        assert {(m.recipient, m.channel) for m in new} == recipients
        assert len(new) == len(recipients)
        assert all(m.topic == f"obligation:{obligation.pk}" for m in new)

    assert WarningSchedule.objects.filter(obligation=obligation, status="pending").count() == 0
    assert WARNINGS.count() == 2 + 3 + 3 + 5 + 5


def test_the_grace_rung_follows_the_templates_grace_period(world):
    WarningPolicy.objects.create(
        template=world.template, grace_period=10, grace_unit=DeadlineUnit.CALENDAR_DAYS
    )

    _sign(world)

    assert _ladder(world.template)[5:] == [
        ("after", 10, "calendar_days", "applicant", ALL),
        ("after", 10, "calendar_days", "regulator", ["email", "inapp"]),
    ]


def test_a_one_day_grace_period_does_not_repeat_a_rung(world):
    WarningPolicy.objects.create(template=world.template, grace_period=1)

    _sign(world)

    assert _ladder(world.template) == DEFAULT[:5]


def test_a_given_ladder_is_kept(world):
    given = install_ladder(world.template)

    _sign(world)

    assert sorted(s.pk for s in WarningStep.objects.filter(template=world.template)) == sorted(
        s.pk for s in given.values()
    )


def test_the_backfill_plans_obligations_signed_before_the_ladder(world):
    commitment = _sign(world)
    obligation = Obligation.objects.get(commitment=commitment)
    WarningSchedule.objects.filter(obligation=obligation).delete()  # signed before 0007

    with time_machine.travel(at(datetime.date(2026, 3, 28)), tick=False):
        first = warning_schedule_backfill()
        out = io.StringIO()
        call_command("warning_schedule_backfill", stdout=out)

    assert (first, out.getvalue()) == (7, "0 scheduled warning(s) planned.\n")
    assert [
        (row.step.relative, row.step.offset, row.step.audience, row.status)
        for row in WarningSchedule.objects.filter(obligation=obligation)
        .select_related("step")
        .order_by("due_at", "step__pk")
    ] == [
        ("before", 7, "applicant", "skipped"),
        ("before", 1, "applicant", "skipped"),
        ("at", 0, "applicant", "pending"),
        ("after", 1, "applicant", "pending"),
        ("after", 1, "regulator", "pending"),
        ("after", 5, "applicant", "pending"),
        ("after", 5, "regulator", "pending"),
    ]
