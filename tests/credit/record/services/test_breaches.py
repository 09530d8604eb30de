"""Recording breaches: from a regulator's finding or a missed obligation, under the rule set
in force on the record date, with the consequences from the catalogue — and every refusal."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine

from commitments.errors import CommitmentError
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from credit.errors import CreditError, CreditErrorCode
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.rules import CreditList
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due, list_entry_enter, red_list_enter
from credit.record.services.publicity import breach_publication_end_due
from notifications.models import Notification
from tests.factories import SubjectFactory, UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _at(day: date, hour: int = 10):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _snapshot(commitment: Commitment) -> tuple:
    commitment = Commitment.objects.get(pk=commitment.pk)
    return (
        commitment.status,
        commitment.history.count(),
        tuple(commitment.obligations.values_list("pk", "status")),
        Breach.objects.count(),
        Measure.objects.count(),
        ListEntry.objects.count(),
        Notification.objects.count(),
    )


def _refused_breach(commitment: Commitment, *, by, obligation, **changes) -> CommitmentError:
    """Record a missed-obligation breach expected to be refused; prove it changed nothing."""
    before = _snapshot(commitment)
    arguments = {"severity": "general", "category_code": MISSED_OBLIGATION, "reason": "逾期"}

    with pytest.raises(CommitmentError) as raised:
        commitment_breach_record(
            commitment=commitment, by=by, obligation=obligation, **(arguments | changes)
        )

    assert _snapshot(commitment) == before
    return raised.value


# From the regulator's finding ----------------------------------------------------------------


# Missed obligations (the deadline sweep's call) ----------------------------------------------


# Publicity by rule set -----------------------------------------------------------------------


def test_a_minor_breach_under_order_36_is_not_published(world, under_verification):
    with time_machine.travel(_at(date(2026, 6, 1)), tick=False):
        outcome = commitment_breach_record(
            commitment=under_verification,
            by=world.regulator,
            severity="minor",
            category_code=MISSED_OBLIGATION,
            reason="轻微逾期",
            obligation=under_verification.obligations.get(),
        )

    breach = outcome.breach
    assert (breach.is_publishable, breach.publicity_starts, breach.status) == (
        False,
        None,
        Breach.Status.RECORDED,
    )
    assert breach.publicity_max_until == date(2026, 9, 1)


def test_a_minor_breach_under_order_58_is_published_three_months_to_three_years(
    world, under_verification
):
    with time_machine.travel(_at(date(2026, 3, 31)), tick=False):
        outcome = commitment_breach_record(
            commitment=under_verification,
            by=world.regulator,
            severity="minor",
            category_code=MISSED_OBLIGATION,
            reason="轻微逾期",
            obligation=under_verification.obligations.get(),
        )

    breach = outcome.breach
    assert (breach.is_publishable, breach.status) == (True, Breach.Status.PUBLISHED)
    assert (breach.publicity_min_until, breach.publicity_max_until) == (
        date(2026, 6, 30),
        date(2029, 3, 31),
    )


def test_a_fire_safety_breach_under_order_58_is_published_at_least_a_year(world):
    outcome = breach_record(
        subject_id=world.subject.pk,
        category_code="fire_safety",
        severity="general",
        reason="消防通道堵塞",
        by=world.regulator,
        record_date=date(2026, 3, 2),
    )

    assert outcome.breach.publicity_min_until == date(2027, 3, 2)


def test_publication_ends_at_the_maximum_period_and_not_before(world):
    outcome = breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="general",
        reason="逾期",
        by=world.regulator,
    )
    breach = outcome.breach
    last_day = breach.publicity_max_until - dt.timedelta(days=1)

    assert breach_publication_end_due(on=last_day) == 0
    assert Breach.objects.get(pk=breach.pk).status == Breach.Status.PUBLISHED
    assert breach_publication_end_due(on=breach.publicity_max_until) == 1
    assert breach_publication_end_due(on=breach.publicity_max_until) == 0
    assert Breach.objects.get(pk=breach.pk).status == Breach.Status.PUBLICATION_ENDED


# Lists ---------------------------------------------------------------------------------------


def test_a_serious_breach_sends_a_prior_notice_and_the_designation_waits_for_it(
    world, under_verification
):
    outcome = commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="serious",
        category_code=MISSED_OBLIGATION,
        reason="严重逾期",
        obligation=under_verification.obligations.get(),
    )

    [entry] = outcome.list_notices
    record_date = outcome.breach.record_date
    assert (entry.credit_list.code, entry.status) == ("serious-dishonesty", "noticed")
    assert entry.prior_notice_sent_at is not None
    assert entry.enter_not_before == record_date + dt.timedelta(days=10)
    assert entry.reason == "threshold reached: serious breaches: 1"
    notice = Notification.objects.get(key=f"credit-list-notice-{entry.pk}-{world.applicant.pk}")
    assert entry.enter_not_before.isoformat() in notice.body

    with pytest.raises(CreditError) as raised:
        list_entry_enter(entry_id=entry.pk, on=entry.enter_not_before - dt.timedelta(days=1))
    assert raised.value.code == CreditErrorCode.INVALID_STATE
    assert ListEntry.objects.get(pk=entry.pk).status == ListEntry.Status.NOTICED

    assert list_entries_enter_due(on=entry.enter_not_before) == 1
    entry.refresh_from_db()
    assert (entry.status, entry.entered_on) == (ListEntry.Status.LISTED, entry.enter_not_before)
    assert entry.exit_not_before.year == entry.enter_not_before.year + 1
    assert list_entries_enter_due(on=entry.enter_not_before) == 0


def test_points_reaching_the_threshold_lead_to_a_prior_notice_once(world):
    outcomes = [
        breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="general",
            reason=f"逾期 {n}",
            by=world.regulator,
        )
        for n in range(5)
    ]

    assert [len(o.list_notices) for o in outcomes] == [0, 0, 0, 1, 0]
    assert outcomes[3].list_notices[0].reason == "threshold reached: points deducted: 12"
    assert ListEntry.objects.filter(subject=world.subject).count() == 1


def test_a_breach_ends_the_subjects_red_list_entry(world):
    entry = red_list_enter(
        subject_id=world.subject.pk, list_code="trustworthy", by=world.supervisor, reason="A级"
    )

    outcome = breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="general",
        reason="逾期",
        by=world.regulator,
    )

    assert outcome.list_exits == [entry]
    entry.refresh_from_db()
    assert (entry.status, entry.exited_on) == (ListEntry.Status.EXITED, outcome.breach.record_date)


def test_a_subject_with_a_breach_cannot_be_red_listed(world):
    breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="general",
        reason="逾期",
        by=world.regulator,
    )

    with pytest.raises(CreditError) as raised:
        red_list_enter(
            subject_id=world.subject.pk, list_code="trustworthy", by=world.supervisor, reason="A"
        )

    assert raised.value.field == "subject"
    assert not ListEntry.objects.filter(credit_list__kind=CreditList.Kind.RED).exists()


def test_breaches_of_one_subject_leave_another_untouched(world):
    other = SubjectFactory(representative=UserFactory(username="other-applicant"))

    breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="严重逾期",
        by=world.regulator,
    )

    assert not Measure.objects.filter(subject=other).exists()
    assert not ListEntry.objects.filter(subject=other).exists()
