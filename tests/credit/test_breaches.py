"""Recording breaches: from a regulator's finding or a missed obligation, under the rule set
in force on the record date, with the consequences from the catalogue — and every refusal."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine

from commitments.errors import CommitmentError, ErrorCode
from commitments.models import Commitment, Obligation, Verification
from commitments.services import verification_record
from commitments.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from credit import services as credit_services
from credit.errors import CreditError, CreditErrorCode
from credit.models import Breach, BreachCategory, CreditList, ListEntry, Measure
from notifications.models import Notification
from tests.factories import SubjectFactory, UserFactory
from tests.workflows.conftest import task_of
from workflows.verification.services.work import verification_complete

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


def test_a_false_commitment_finding_records_a_breach_under_order_36(world, under_verification):
    with time_machine.travel(_at(date(2026, 5, 11)), tick=False):
        verification_record(
            commitment=under_verification,
            regulator=world.regulator,
            method="on_site",
            finding="breached",
            reason="经营场所与承诺不符",
        )

    breach = Breach.objects.get(source_kind="commitment", source_id=under_verification.pk)
    assert (breach.category.code, breach.severity, breach.rule_set.code) == (
        "false_commitment",
        "general",
        "ndrc-order-36",
    )
    assert breach.subject == world.subject
    assert breach.source_kind == "commitment"
    assert breach.reason == "经营场所与承诺不符"
    assert breach.recorded_by == world.regulator
    assert breach.legal_basis == BreachCategory.objects.get(code="false_commitment").legal_basis
    assert (breach.record_date, breach.publicity_starts) == (date(2026, 5, 11), date(2026, 5, 11))
    assert (breach.publicity_min_until, breach.publicity_max_until) == (
        date(2026, 8, 11),
        date(2027, 5, 11),
    )
    assert breach.status == Breach.Status.PUBLISHED
    assert sorted(
        Measure.objects.filter(breach=breach).values_list("measure_type__code", "points")
    ) == [
        ("closer_supervision", 0),
        ("no_commitment", 0),
        ("point_deduction", 3),
        ("revoke_approval", 0),
    ]
    notification = Notification.objects.get(recipient=world.applicant)
    assert notification.key == f"credit-breach-{breach.pk}-{world.applicant.pk}"
    assert notification.link == f"/credit/{world.subject.code}/"
    assert "ndrc-order-36" not in notification.body
    assert "2026-08-11" in notification.body


def test_the_same_finding_a_day_earlier_falls_under_order_58(world, under_verification):
    with time_machine.travel(_at(date(2026, 3, 31)), tick=False):
        verification_record(
            commitment=under_verification,
            regulator=world.regulator,
            method="on_site",
            finding="breached",
            reason="经营场所与承诺不符",
        )

    breach = Breach.objects.get(source_kind="commitment", source_id=under_verification.pk)
    assert breach.rule_set.code == "ndrc-order-58"
    assert (breach.publicity_min_until, breach.publicity_max_until) == (
        date(2026, 6, 30),
        date(2029, 3, 31),
    )


def test_the_flow_records_the_breach_with_the_finding(world, under_verification):
    verification_complete(
        task=task_of(under_verification),
        by=world.regulator,
        method="on_site",
        finding="breached",
        reason="现场无经营设施",
        evidence_summary="现场核查",
        inspected_on=date.today(),
        inspection_location="深圳市南山区科技园1号",
        inspectors="regulator",
    )

    assert Commitment.objects.get(pk=under_verification.pk).status == Commitment.Status.BREACHED
    assert (
        Breach.objects.filter(
            source_kind="commitment",
            source_id=under_verification.pk,
            category__code="false_commitment",
        ).count()
        == 1
    )


def test_a_fulfilled_finding_records_no_breach(world, under_verification):
    verification_record(
        commitment=under_verification,
        regulator=world.regulator,
        method="on_site",
        finding="fulfilled",
    )

    assert Breach.objects.count() == 0
    assert Measure.objects.count() == 0


def test_the_finding_and_the_breach_commit_or_fail_together(world, under_verification):
    BreachCategory.objects.filter(code="false_commitment").update(code="renamed")
    before = _snapshot(under_verification)

    with pytest.raises(CommitmentError) as raised:
        verification_record(
            commitment=under_verification,
            regulator=world.regulator,
            method="on_site",
            finding="breached",
            reason="不符",
        )

    assert raised.value.field == "category_code"
    assert _snapshot(under_verification) == before
    assert not Verification.objects.filter(commitment=under_verification).exists()


# Missed obligations (the deadline sweep's call) ----------------------------------------------


def test_a_missed_obligation_is_breached_once_however_often_it_is_recorded(
    world, under_verification
):
    obligation = under_verification.obligations.get()

    first = commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期未提交场所证明",
        obligation=obligation,
    )
    again = commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期未提交场所证明",
        obligation=obligation,
    )

    assert (first.created, again.created) == (True, False)
    assert again.breach == first.breach
    assert Breach.objects.count() == 1
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.BREACHED
    assert (first.breach.source_kind, first.breach.source_id) == ("obligation", obligation.pk)
    assert Notification.objects.filter(recipient=world.applicant).count() == 1
    assert sorted(m.measure_type.code for m in first.measures) == [
        "closer_supervision",
        "point_deduction",
    ]


def test_no_breach_on_a_commitment_verified_as_fulfilled(world, under_verification):
    verification_record(
        commitment=under_verification,
        regulator=world.regulator,
        method="on_site",
        finding="fulfilled",
    )

    refusal = _refused_breach(
        under_verification, by=world.regulator, obligation=under_verification.obligations.get()
    )

    assert (refusal.code, refusal.field) == (ErrorCode.INVALID_STATE, "commitment")
    assert "fulfilled" in refusal.message


def test_no_breach_on_a_fulfilled_obligation(world, under_verification):
    obligation = under_verification.obligations.get()
    obligation.fulfil()
    obligation.save()

    refusal = _refused_breach(under_verification, by=world.regulator, obligation=obligation)

    assert (refusal.code, refusal.field) == (ErrorCode.INVALID_STATE, "obligation")


def test_an_obligation_of_another_commitment_is_refused(world, under_verification):
    from tests.workflows.conftest import submit_commitment

    other = submit_commitment(world)

    refusal = _refused_breach(
        under_verification, by=world.regulator, obligation=other.obligations.get()
    )

    assert (refusal.code, refusal.field) == (ErrorCode.INVALID, "obligation")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category_code": "no-such-category"}, "category_code"),
        ({"severity": "catastrophic"}, "severity"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_bad_breach_input_is_refused_and_changes_nothing(world, under_verification, changes, field):
    refusal = _refused_breach(
        under_verification,
        by=world.regulator,
        obligation=under_verification.obligations.get(),
        **changes,
    )

    assert (refusal.code, refusal.field) == (ErrorCode.INVALID, field)


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
    outcome = credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="fire_safety",
        severity="general",
        reason="消防通道堵塞",
        by=world.regulator,
        record_date=date(2026, 3, 2),
    )

    assert outcome.breach.publicity_min_until == date(2027, 3, 2)


def test_publication_ends_at_the_maximum_period_and_not_before(world):
    outcome = credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="general",
        reason="逾期",
        by=world.regulator,
    )
    breach = outcome.breach
    last_day = breach.publicity_max_until - dt.timedelta(days=1)

    assert credit_services.breach_publication_end_due(on=last_day) == 0
    assert Breach.objects.get(pk=breach.pk).status == Breach.Status.PUBLISHED
    assert credit_services.breach_publication_end_due(on=breach.publicity_max_until) == 1
    assert credit_services.breach_publication_end_due(on=breach.publicity_max_until) == 0
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
        credit_services.list_entry_enter(
            entry_id=entry.pk, on=entry.enter_not_before - dt.timedelta(days=1)
        )
    assert raised.value.code == CreditErrorCode.INVALID_STATE
    assert ListEntry.objects.get(pk=entry.pk).status == ListEntry.Status.NOTICED

    assert credit_services.list_entries_enter_due(on=entry.enter_not_before) == 1
    entry.refresh_from_db()
    assert (entry.status, entry.entered_on) == (ListEntry.Status.LISTED, entry.enter_not_before)
    assert entry.exit_not_before.year == entry.enter_not_before.year + 1
    assert credit_services.list_entries_enter_due(on=entry.enter_not_before) == 0


def test_points_reaching_the_threshold_lead_to_a_prior_notice_once(world):
    outcomes = [
        credit_services.breach_record(
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
    entry = credit_services.red_list_enter(
        subject_id=world.subject.pk, list_code="trustworthy", by=world.supervisor, reason="A级"
    )

    outcome = credit_services.breach_record(
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
    credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="general",
        reason="逾期",
        by=world.regulator,
    )

    with pytest.raises(CreditError) as raised:
        credit_services.red_list_enter(
            subject_id=world.subject.pk, list_code="trustworthy", by=world.supervisor, reason="A"
        )

    assert raised.value.field == "subject"
    assert not ListEntry.objects.filter(credit_list__kind=CreditList.Kind.RED).exists()


def test_breaches_of_one_subject_leave_another_untouched(world):
    other = SubjectFactory(representative=UserFactory(username="other-applicant"))

    credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="严重逾期",
        by=world.regulator,
    )

    assert not Measure.objects.filter(subject=other).exists()
    assert not ListEntry.objects.filter(subject=other).exists()
