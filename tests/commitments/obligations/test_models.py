"""The obligation models: the factories make rows the models accept, a ladder step says when
and how it warns, and an obligation leaves ``pending`` only once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from commitments.obligations.models import (
    DeadlineExtension,
    Obligation,
    PerformanceReport,
    WarningSchedule,
    WarningStep,
)
from tests.factories import (
    DeadlineExtensionFactory,
    ObligationFactory,
    PerformanceEvidenceFactory,
    PerformanceReportFactory,
    WarningPolicyFactory,
    WarningScheduleFactory,
    WarningStepFactory,
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "traits"),
    [
        (ObligationFactory, {}),
        (ObligationFactory, {"breached": True}),
        (WarningPolicyFactory, {}),
        (WarningStepFactory, {}),
        (WarningStepFactory, {"on_the_day": True, "regulator": True}),
        (WarningScheduleFactory, {}),
        (WarningScheduleFactory, {"breach": True}),
        (DeadlineExtensionFactory, {}),
        (DeadlineExtensionFactory, {"verification": True}),
        (PerformanceReportFactory, {}),
        (PerformanceReportFactory, {"rejected": True}),
        (PerformanceEvidenceFactory, {}),
    ],
)
def test_the_factories_make_rows_the_models_accept(factory, traits):
    row = factory(**traits)

    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_an_obligation_is_due_on_the_official_calendar_under_its_rule():
    obligation = ObligationFactory()

    # 20 working days from Monday 2 March 2026 (no holiday in between)
    assert obligation.due_date == datetime.date(2026, 3, 30)
    assert obligation.rule.template_id == obligation.commitment.template_id
    assert obligation.title == obligation.rule.title
    assert obligation.due_explanation


@pytest.mark.django_db
def test_the_traits_set_what_they_name():
    extension = DeadlineExtensionFactory(verification=True)
    schedule = WarningScheduleFactory(breach=True)
    report = PerformanceReportFactory(rejected=True)

    assert (extension.kind, extension.obligation) == (DeadlineExtension.Kind.VERIFICATION, None)
    assert (schedule.kind, schedule.step) == (WarningSchedule.Kind.BREACH, None)
    assert (report.status, report.decision_note) == (
        PerformanceReport.Status.REJECTED,
        "证明文件不清晰",
    )


@pytest.mark.parametrize(
    ("relative", "offset", "channels", "field"),
    [
        (WarningStep.Relative.AT, 2, ["email"], "offset"),
        (WarningStep.Relative.BEFORE, 0, ["email"], "offset"),
        (WarningStep.Relative.AFTER, 1, [], "channels"),
        (WarningStep.Relative.AFTER, 1, ["fax"], "channels"),
    ],
)
def test_a_step_needs_an_offset_off_the_due_date_and_known_channels(
    relative, offset, channels, field
):
    step = WarningStepFactory.build(relative=relative, offset=offset, channels=channels)

    with pytest.raises(ValidationError) as refusal:
        step.clean()

    assert list(refusal.value.message_dict) == [field]


@pytest.mark.django_db
def test_an_obligation_leaves_pending_only_once():
    obligation = ObligationFactory()

    obligation.fulfil()

    assert obligation.status == Obligation.Status.FULFILLED
    with pytest.raises(TransitionNotAllowed):
        obligation.breach()
    assert obligation.status == Obligation.Status.FULFILLED
