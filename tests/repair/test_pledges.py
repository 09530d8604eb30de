"""Bidding pledges: a pledge in place of a deposit, refused to a black-listed subject; the
tendering authority's outcome; the non-refund notice and, unpaid, the listing."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.services.bid_pledges import (
    bid_pledge_defaults_sweep,
    bid_pledge_make,
    bid_pledge_outcome,
    bid_pledge_paid,
    tender_create,
)
from credit import selectors as credit_selectors
from credit.models import BidPledge, CreditList, ListEntry, Tender
from notifications.models import Notification
from tests.factories import CompetenceFactory
from tests.repair.conftest import SHANGHAI


@pytest.fixture
def tender(world, today) -> Tender:
    CompetenceFactory(
        matter=active_template(CommitmentTemplate.Kind.BIDDING_PLEDGE).matter,
        region=world.region,
        department=world.department,
    )
    return tender_create(
        by=world.regulator,
        department=world.department,
        reference="SZ-ZB-2026-0815",
        title="南山区学校食堂配餐服务",
        bid_deadline=dt.datetime(2026, 12, 10, 9, tzinfo=SHANGHAI),
        deposit_amount="80000.00",
    )


def _snapshot() -> tuple:
    return (
        BidPledge.objects.count(),
        Commitment.objects.count(),
        ListEntry.objects.count(),
        Notification.objects.count(),
    )


def test_a_subject_pledges_in_place_of_the_deposit(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)

    assert (pledge.status, pledge.tender, pledge.subject) == ("pledged", tender, world.subject)
    assert (pledge.commitment.template.kind, pledge.commitment.is_signed) == (
        "bidding_pledge",
        True,
    )
    assert pledge.commitment.field_values == {"tender": "SZ-ZB-2026-0815"}


def test_a_black_listed_subject_is_refused_with_the_reason(world, tender):
    ListEntry.objects.create(
        credit_list=CreditList.objects.get(code="serious-dishonesty"),
        subject=world.subject,
        reason="严重失信",
        entered_on=date(2026, 6, 1),
        status=ListEntry.Status.LISTED,
    )
    before = _snapshot()
    with pytest.raises(CommitmentError) as refused:
        bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert refused.value.field == "subject"
    assert "List of seriously dishonest subjects" in refused.value.message
    assert "since 2026-06-01" in refused.value.message
    assert _snapshot() == before


def test_a_second_pledge_and_a_late_pledge_are_refused(world, tender):
    bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    before = _snapshot()
    with pytest.raises(CommitmentError) as twice:
        bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    assert "already pledged" in twice.value.message
    with (
        time_machine.travel(dt.datetime(2026, 12, 10, 9, 1, tzinfo=SHANGHAI)),
        pytest.raises(CommitmentError) as late,
    ):
        bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    assert "bid deadline" in late.value.message
    assert _snapshot() == before


def test_a_kept_pledge_is_released(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    pledge = bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="released")
    assert (pledge.status, pledge.outcome_by) == ("released", world.regulator)


def test_withdrawal_before_the_deadline_is_no_breach(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    with pytest.raises(CommitmentError) as refused:
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="withdrawn")
    assert refused.value.field == "outcome"
    assert BidPledge.objects.get(pk=pledge.pk).status == "pledged"


def test_only_the_tendering_authority_records_the_outcome(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    with pytest.raises(CommitmentError) as refused:
        bid_pledge_outcome(pledge=pledge, by=world.foreign_regulator, outcome="not_signed")
    assert refused.value.code == ErrorCode.NOT_FOUND
    assert BidPledge.objects.get(pk=pledge.pk).status == "pledged"


def test_a_breach_sends_the_notice_and_unpaid_leads_to_listing(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)

    pledge = bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="not_signed")

    assert (pledge.status, pledge.amount_due, pledge.noticed_on, pledge.payment_due) == (
        "noticed",
        Decimal("80000.00"),
        date(2026, 12, 1),
        date(2026, 12, 15),
    )
    notice = Notification.objects.get(key=f"pledge-{pledge.pk}-notice-{world.applicant.pk}")
    assert notice.subject == "Non-refund notice: pay 80000.00 by 2026-12-15"

    assert bid_pledge_defaults_sweep(on=date(2026, 12, 15)) == 0  # the deadline day itself
    assert bid_pledge_defaults_sweep(on=date(2026, 12, 16)) == 1
    assert bid_pledge_defaults_sweep(on=date(2026, 12, 16)) == 0  # idempotent

    pledge.refresh_from_db()
    entry = pledge.list_entry
    assert (pledge.status, entry.credit_list.code, entry.status) == (
        "listed",
        "pledge-defaulters",
        "listed",
    )
    assert (entry.entered_on, entry.exit_not_before) == (date(2026, 12, 16), date(2027, 12, 16))
    assert credit_selectors.subject_standing(subject_id=world.subject.pk).blacklisted is True


def test_a_paid_notice_is_not_listed(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="no_guarantee")
    pledge = bid_pledge_paid(pledge=pledge, by=world.regulator)
    assert (pledge.status, pledge.paid_on) == ("paid", date(2026, 12, 1))
    assert bid_pledge_defaults_sweep(on=date(2027, 1, 5)) == 0
    assert not ListEntry.objects.filter(credit_list__code="pledge-defaulters").exists()


def test_a_bad_tender_is_refused(world, today):
    with pytest.raises(CommitmentError) as refused:
        tender_create(
            by=world.regulator,
            department=world.department,
            reference=" ",
            title="",
            bid_deadline=dt.datetime(2026, 12, 10, 9, tzinfo=SHANGHAI),
            deposit_amount="-5",
        )
    assert set(refused.value.fields) == {"reference", "title", "deposit_amount"}
    assert Tender.objects.count() == 0
