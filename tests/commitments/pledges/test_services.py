"""The pledge services: a pledge in place of a deposit, refused to a black-listed subject;
the prepared draft, the signing checks and their order (nobody learns another subject's
standing); the tendering authority's outcome, how a kept pledge was kept; the non-refund
notice and, unpaid, the listing. A pledge draft is signed only on its pledge page: the
generic signing path would skip the tender's checks and start a verification instead of
recording the pledge."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from viewflow.workflow.models import Process

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.selectors import template_list_active
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from commitments.pledges.models import BidPledge, Tender
from commitments.pledges.services import (
    bid_pledge_defaults_sweep,
    bid_pledge_draft,
    bid_pledge_make,
    bid_pledge_outcome,
    bid_pledge_paid,
    bid_pledge_sign,
    tender_create,
)
from credit.record import selectors as credit_selectors
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from directory.models import Subject
from notifications.models import Notification
from signing.models import SignedDocument
from tests.commitments.pledges.conftest import (
    AWARDED_PAYMENT_DUE,
    SHANGHAI,
    bids_closed,
    black_list,
)
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.services.submission import commitment_submit

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    return (
        BidPledge.objects.count(),
        Commitment.objects.count(),
        ListEntry.objects.count(),
        Notification.objects.count(),
    )


# Making a pledge ----------------------------------------------------------------------


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


@pytest.mark.parametrize("outcome", ["not_signed", "no_guarantee", "won_signed", "lost"])
def test_an_award_outcome_before_the_bid_deadline_is_refused(world, tender, outcome):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    before = _snapshot()

    with pytest.raises(CommitmentError) as refused:
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome=outcome)

    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID, "outcome")
    assert "cannot be recorded before the bid deadline (2026-12-10 09:00)" in refused.value.message
    assert _snapshot() == before
    with bids_closed():
        assert bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome=outcome).outcome_by


def test_only_the_tendering_authority_records_the_outcome(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    with pytest.raises(CommitmentError) as refused:
        bid_pledge_outcome(pledge=pledge, by=world.foreign_regulator, outcome="not_signed")
    assert refused.value.code == ErrorCode.NOT_FOUND
    assert BidPledge.objects.get(pk=pledge.pk).status == "pledged"


def test_a_breach_sends_the_notice_and_unpaid_leads_to_listing(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)

    with bids_closed():
        pledge = bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="not_signed")

    assert (pledge.status, pledge.amount_due, pledge.noticed_on, pledge.payment_due) == (
        "noticed",
        Decimal("80000.00"),
        date(2026, 12, 10),
        AWARDED_PAYMENT_DUE,
    )
    notice = Notification.objects.get(key=f"pledge-{pledge.pk}-notice-{world.applicant.pk}")
    assert notice.subject == "Non-refund notice: pay 80000.00 by 2026-12-24"

    assert bid_pledge_defaults_sweep(on=date(2026, 12, 24)) == 0  # the deadline day itself
    assert bid_pledge_defaults_sweep(on=date(2026, 12, 25)) == 1
    assert bid_pledge_defaults_sweep(on=date(2026, 12, 25)) == 0  # idempotent

    pledge.refresh_from_db()
    entry = pledge.list_entry
    assert (pledge.status, entry.credit_list.code, entry.status) == (
        "listed",
        "pledge-defaulters",
        "listed",
    )
    assert (entry.entered_on, entry.exit_not_before) == (date(2026, 12, 25), date(2027, 12, 25))
    assert credit_selectors.subject_standing(subject_id=world.subject.pk).blacklisted is True


def test_a_paid_notice_is_not_listed(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    with bids_closed():
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="no_guarantee")
        pledge = bid_pledge_paid(pledge=pledge, by=world.regulator)
    assert (pledge.status, pledge.paid_on) == ("paid", date(2026, 12, 10))
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

    with bids_closed():
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


# Signed only on its own page ----------------------------------------------------------


def test_the_generic_signing_path_refuses_a_pledge_draft_and_changes_nothing(world, tender):
    draft = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)
    history = draft.history.count()

    with pytest.raises(WorkflowError) as raised:
        commitment_submit(commitment=draft, by=world.applicant)

    assert (raised.value.code, raised.value.field) == (WorkflowErrorCode.INVALID_STATE, "template")
    assert "pledge page" in raised.value.message
    assert Commitment.objects.get(pk=draft.pk).status == "draft"
    assert draft.history.count() == history
    assert (SignedDocument.objects.count(), BidPledge.objects.count()) == (0, 0)
    assert Process.objects.count() == 0


def test_applicants_are_not_offered_repair_or_pledge_templates(world, tender, client):
    kinds = set(template_list_active().values_list("kind", flat=True))
    client.force_login(world.applicant)

    page = client.get(reverse("commitments:templates"))

    assert kinds == {CommitmentTemplate.Kind.INFORM_AND_COMMIT}
    assert world.template.title in page.content.decode()
    assert "投标信用承诺" not in page.content.decode()
