"""The statutory time limits of repair and objections: due dates on the official calendar,
the instants the flows' timers are armed at, and the steps the timers run, each telling
people at most once and nobody once the case is decided."""

from __future__ import annotations

import datetime as dt
from datetime import date

from notifications.models import Notification
from tests.workflows.repair.conftest import SHANGHAI, proof, record
from workflows.repair.services.limits import (
    limit_instant,
    objection_due_dates,
    objection_forward_lapsed,
    provider_decision_due,
    repair_feedback_lapsed,
    time_limit,
    warning_instant,
)
from workflows.repair.services.objections import objection_forward, objection_submit
from workflows.repair.services.repair import repair_decide, repair_submit


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def test_timer_instants_follow_the_official_calendar(db):
    # The National Day holiday (10-01 to 10-07) is skipped; Saturday 10-10 is a working day.
    assert warning_instant(date(2026, 10, 8)) == _at(date(2026, 9, 30), 9)
    assert warning_instant(date(2026, 10, 12)) == _at(date(2026, 10, 10), 9)
    assert warning_instant(date(2026, 12, 7)) == _at(date(2026, 12, 4), 9)
    assert limit_instant(date(2026, 12, 7)) == _at(date(2026, 12, 7), 23, 59, 59)


def test_the_limits_default_to_the_regulations_and_a_city_may_set_its_own(settings):
    assert [
        time_limit(name)
        for name in (
            "repair_feedback",
            "repair_decision",
            "objection_forward",
            "objection_decision",
            "objection_provider_decision",
        )
    ] == [10, 3, 2, 5, 5]
    settings.CREDIT_TIME_LIMITS = {"objection_forward": 1}
    assert time_limit("objection_forward") == 1
    assert time_limit("objection_decision") == 5


def test_objection_due_dates_skip_the_national_day_holiday(db):
    # Filed Wednesday 2026-09-30: 10-01 to 10-07 are holidays, Saturday 10-10 is a working day.
    assert objection_due_dates(on=date(2026, 9, 30)) == (date(2026, 10, 13), date(2026, 10, 9))
    assert provider_decision_due(on=date(2026, 12, 2)) == date(2026, 12, 9)


def test_the_feedback_step_tells_nobody_once_the_repair_is_decided(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    repair_decide(application=application, by=world.regulator, grant=True, reason="")
    before = Notification.objects.count()

    assert repair_feedback_lapsed(application_id=application.pk) == 0

    assert Notification.objects.count() == before


def test_the_feedback_step_tells_each_person_once(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )

    assert repair_feedback_lapsed(application_id=application.pk) == 4
    assert repair_feedback_lapsed(application_id=application.pk) == 4

    assert (
        Notification.objects.filter(key__contains=f"repair-{application.pk}-feedback-lapsed-")
        .values("recipient")
        .distinct()
        .count()
        == Notification.objects.filter(
            key__contains=f"repair-{application.pk}-feedback-lapsed-"
        ).count()
        == 4
    )


def test_the_forwarding_step_tells_nobody_once_forwarded(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")
    objection_forward(
        objection=objection, by=world.regulator, department=world.other_department, reason="x"
    )
    before = Notification.objects.count()

    assert objection_forward_lapsed(objection_id=objection.pk) == 0

    assert Notification.objects.count() == before
