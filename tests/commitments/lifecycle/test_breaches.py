"""Breaches of commitments: from a regulator's finding or a missed obligation, recorded in the
credit record in the same transaction — and every refusal, with nothing changed.

A refusal of the commitments app's own rules is a ``CommitmentError``; one of the credit
record's rules (an unknown category, a severity, an empty reason) reaches the caller as the
credit record's ``CreditError``, not re-wrapped.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.utils import translation

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, Verification
from commitments.lifecycle.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from commitments.lifecycle.services.verification import verification_record
from commitments.obligations.models import Obligation
from credit.errors import CreditError, CreditErrorCode
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.rules import BreachCategory
from directory.errors import DomainError
from notifications.models import Notification
from tests.workflows.conftest import submit_commitment, task_of
from workflows.verification.services.work import verification_complete

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english():
    """Assert on the English source messages whatever catalogue is installed."""
    with translation.override("en"):
        yield


@pytest.fixture
def under_verification(world) -> Commitment:
    """A signed commitment of the world's subject, handed to the department."""
    return submit_commitment(world)


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


def _refused_breach(
    commitment: Commitment,
    *,
    by,
    obligation,
    refusal: type[DomainError] = CommitmentError,
    **changes,
) -> DomainError:
    """Record a missed-obligation breach expected to be refused (by the commitments app, or by
    the credit record for its own rules); prove it changed nothing."""
    before = _snapshot(commitment)
    arguments = {"severity": "general", "category_code": MISSED_OBLIGATION, "reason": "逾期"}

    with pytest.raises(refusal) as raised:
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

    with pytest.raises(CreditError) as raised:
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
        refusal=CreditError,
        **changes,
    )

    assert (refusal.code, refusal.field) == (CreditErrorCode.INVALID, field)
