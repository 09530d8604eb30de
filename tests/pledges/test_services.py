"""The pledge services behind the pages: the prepared draft, the signing checks, how a kept
pledge was kept, and the order of the checks (nobody learns another subject's standing)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from commitments.services.bid_pledges import (
    bid_pledge_draft,
    bid_pledge_make,
    bid_pledge_outcome,
    bid_pledge_sign,
    tender_create,
)
from credit.models import BidPledge, Tender
from directory.models import Subject
from tests.pledges.conftest import SHANGHAI, black_list

pytestmark = pytest.mark.django_db


def test_a_prepared_draft_is_reused_until_it_is_signed(world, tender):
    first = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)
    second = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)

    assert first == second
    assert (first.status, first.template.kind) == ("draft", "bidding_pledge")
    assert Commitment.objects.count() == 1
    assert BidPledge.objects.count() == 0


def test_someone_elses_black_listed_subject_is_refused_as_not_represented(world, tender):
    others = Subject.objects.get(name="别人的公司")
    black_list(others)

    with pytest.raises(CommitmentError) as refused:
        bid_pledge_draft(tender=tender, subject=others, by=world.applicant)

    assert (refused.value.code, refused.value.message) == (
        ErrorCode.FORBIDDEN,
        "You do not represent this subject.",
    )
    assert Commitment.objects.count() == 0


def test_a_draft_signed_after_the_bid_deadline_is_refused(world, tender):
    draft = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)

    with (
        time_machine.travel(dt.datetime(2026, 12, 10, 9, 1, tzinfo=SHANGHAI)),
        pytest.raises(CommitmentError) as late,
    ):
        bid_pledge_sign(commitment=draft, by=world.applicant)

    assert (late.value.field, late.value.message) == (
        "tender",
        "The bid deadline of this tender has passed.",
    )
    assert Commitment.objects.get(pk=draft.pk).status == "draft"
    assert BidPledge.objects.count() == 0


def test_an_ordinary_commitment_cannot_be_signed_as_a_pledge(world, tender):
    ordinary = commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values={"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"},
    )

    with pytest.raises(CommitmentError) as refused:
        bid_pledge_sign(commitment=ordinary, by=world.applicant)

    assert refused.value.message == "This commitment is not a bidding pledge."
    assert Commitment.objects.get(pk=ordinary.pk).status == "draft"


@pytest.mark.parametrize("kept", ["won_signed", "lost", "withdrawn_in_time"])
def test_each_way_of_keeping_the_pledge_releases_it(world, tender, kept):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)

    pledge = bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome=kept)

    assert (pledge.status, pledge.kept, pledge.breach, pledge.amount_due) == (
        "released",
        kept,
        "",
        None,
    )
    assert pledge.history.latest().history_change_reason == f"pledge kept and released: {kept}"


def test_a_withdrawal_after_the_bid_deadline_breaches_the_pledge(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)

    with time_machine.travel(dt.datetime(2026, 12, 10, 10, tzinfo=SHANGHAI), tick=True):
        pledge = bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="withdrawn")

    assert (pledge.status, pledge.breach, pledge.kept) == ("noticed", "withdrawn", "")


def test_a_tender_whose_bid_deadline_has_passed_is_refused(world, today):
    with pytest.raises(CommitmentError) as refused:
        tender_create(
            by=world.regulator,
            department=world.department,
            reference="SZ-ZB-2026-0001",
            title="已截止项目",
            bid_deadline=dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI),
            deposit_amount="1000",
        )

    assert refused.value.fields == {
        "bid_deadline": ["The bid deadline must be in the future: pledges are made before it."]
    }
    assert Tender.objects.count() == 0
