"""Bidding pledge pages: the bidder pledges and signs, the tendering authority records the
outcome and the payment; each refusal shows the reason and the rule and changes nothing."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from commitments.lifecycle.models import Commitment
from commitments.pledges.models import BidPledge, Tender
from commitments.pledges.services import (
    bid_pledge_defaults_sweep,
    bid_pledge_draft,
    bid_pledge_make,
    bid_pledge_outcome,
)
from directory.models import Subject
from notifications.models import Notification
from tests.commitments.pledges.conftest import (
    AWARDED_PAYMENT_DUE,
    SHANGHAI,
    bids_closed,
    black_list,
)

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    return (
        BidPledge.objects.count(),
        Commitment.objects.count(),
        Commitment.objects.filter(status="draft").count(),
        Notification.objects.count(),
        list(BidPledge.objects.order_by("pk").values_list("status", "breach", "kept", "paid_on")),
        BidPledge.history.count(),
        Tender.objects.count(),
    )


def _pledge(world, tender) -> BidPledge:
    return bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)


# The bidder's side --------------------------------------------------------------------------


def test_the_applicant_pledges_for_a_tender_and_signs_the_pledge(client, world, tender):
    client.force_login(world.applicant)

    form = client.get(reverse("pledges:create"))
    assert form.status_code == 200
    assert "SZ-ZB-2026-0815" in form.content.decode()

    prepared = client.post(
        reverse("pledges:create"), {"subject": world.subject.code, "tender": tender.reference}
    )
    draft = Commitment.objects.get(subject=world.subject, template__kind="bidding_pledge")
    assert prepared.status_code == 302
    assert prepared.url == reverse("pledges:sign", kwargs={"reference": draft.reference})
    assert (draft.status, draft.field_values) == ("draft", {"tender": "SZ-ZB-2026-0815"})
    assert not BidPledge.objects.exists()

    page = client.get(prepared.url).content.decode()
    assert draft.template.commitment_text in page
    assert draft.template.notice_liability in page
    assert reverse("commitments:preview", kwargs={"reference": draft.reference}) in page

    signed = client.post(prepared.url, {"confirm": "on", "password": "pw-12345678"})

    pledge = BidPledge.objects.get()
    assert signed.status_code == 302
    assert signed.url == reverse("pledges:detail", kwargs={"pk": pledge.pk})
    assert (pledge.status, pledge.subject, pledge.tender, pledge.commitment) == (
        "pledged",
        world.subject,
        tender,
        draft,
    )
    draft.refresh_from_db()
    assert draft.is_signed is True
    listing = client.get(reverse("pledges:list")).content.decode()
    assert 'data-testid="pledge-row"' in listing
    assert "Pledged" in listing


def test_signing_without_accepting_the_liability_signs_nothing(client, world, tender):
    draft = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)
    client.force_login(world.applicant)
    before = _snapshot()

    response = client.post(reverse("pledges:sign", kwargs={"reference": draft.reference}), {})

    assert response.status_code == 400
    assert "accept the liability" in response.content.decode()
    assert _snapshot() == before


def test_a_pledge_is_signed_only_with_its_own_proof(client, world, tender):
    # given a login a moment ago: the pledge still asks for the password
    draft = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)
    client.force_login(world.applicant)
    url = reverse("pledges:sign", kwargs={"reference": draft.reference})
    before = _snapshot()

    response = client.post(url, {"confirm": "on"})
    wrong = client.post(url, {"confirm": "on", "password": "wrong"})

    assert (response.status_code, wrong.status_code) == (400, 400)
    assert "The password is not correct." in wrong.content.decode()
    assert _snapshot() == before


def test_a_black_listed_subject_is_refused_with_the_reason_and_the_rule(client, world, tender):
    black_list(world.subject)
    client.force_login(world.applicant)
    before = _snapshot()

    response = client.post(
        reverse("pledges:create"), {"subject": world.subject.code, "tender": tender.reference}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "cannot pledge in place of a bid deposit" in page
    assert "since 2026-06-01" in page
    assert "only for a subject on no black list" in page
    assert _snapshot() == before


def test_a_black_listed_subject_learns_it_on_the_start_page(client, world, tender):
    black_list(world.subject)
    client.force_login(world.applicant)

    page = client.get(reverse("pledges:create")).content.decode()

    eligibility = page.split('data-testid="eligibility"')[1].split("</section>")[0]
    assert world.subject.name in eligibility
    assert "cannot pledge in place of a bid deposit; pay the deposit instead" in eligibility
    assert eligibility.index("since 2026-06-01") > 0
    assert page.index('data-testid="eligibility"') < page.index('data-testid="pledge-form"')


def test_a_subject_listed_after_the_draft_cannot_sign_it(client, world, tender):
    draft = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)
    black_list(world.subject)
    client.force_login(world.applicant)
    before = _snapshot()

    response = client.post(
        reverse("pledges:sign", kwargs={"reference": draft.reference}),
        {"confirm": "on", "password": "pw-12345678"},
    )

    assert response.status_code == 400
    assert "cannot pledge in place of a bid deposit" in response.content.decode()
    assert _snapshot() == before
    assert Commitment.objects.get(pk=draft.pk).status == "draft"


def test_a_pledge_for_someone_elses_subject_is_refused(client, world, tender):
    others = Subject.objects.get(name="别人的公司")
    client.force_login(world.applicant)
    before = _snapshot()

    response = client.post(
        reverse("pledges:create"), {"subject": others.code, "tender": tender.reference}
    )

    assert response.status_code == 400
    assert "Choose a company you represent." in response.content.decode()
    assert _snapshot() == before


def test_a_second_pledge_for_the_same_tender_is_refused(client, world, tender):
    _pledge(world, tender)
    client.force_login(world.applicant)
    before = _snapshot()

    response = client.post(
        reverse("pledges:create"), {"subject": world.subject.code, "tender": tender.reference}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "This subject has already pledged for this tender." in page
    assert "once per tender" in page
    assert _snapshot() == before


def test_others_see_no_pledge_and_no_pledge_draft(client, world, tender):
    pledge = _pledge(world, tender)
    draft_tender = Tender.objects.create(
        reference="SZ-ZB-2026-0900",
        title="另一个项目",
        department=world.department,
        bid_deadline=dt.datetime(2026, 12, 20, 9, tzinfo=SHANGHAI),
        deposit_amount=Decimal("1000.00"),
        created_by=world.regulator,
    )
    draft = bid_pledge_draft(tender=draft_tender, subject=world.subject, by=world.applicant)
    client.force_login(world.stranger)

    assert client.get(reverse("pledges:detail", kwargs={"pk": pledge.pk})).status_code == 404
    sign_url = reverse("pledges:sign", kwargs={"reference": draft.reference})
    assert client.get(sign_url).status_code == 404
    assert client.post(sign_url, {"confirm": "on"}).status_code == 404
    assert 'data-testid="pledge-row"' not in client.get(reverse("pledges:list")).content.decode()
    assert Commitment.objects.get(pk=draft.pk).status == "draft"


# The tendering authority's side -------------------------------------------------------------


def test_the_authority_records_a_breach_and_the_bidder_sees_the_notice(client, world, tender):
    pledge = _pledge(world, tender)
    client.force_login(world.regulator)
    office = client.get(reverse("pledges:office")).content.decode()
    assert 'data-testid="office-pledge-row"' in office

    url = reverse("pledges:outcome", kwargs={"pk": pledge.pk})
    before = _snapshot()

    with bids_closed():  # logged in again: the session does not last the nine days
        client.force_login(world.regulator)
        # the breach demands payment: first the answers are shown back, nothing recorded
        check = client.post(url, {"outcome": "not_signed"})
        unchanged = _snapshot()
        response = client.post(url, {"outcome": "not_signed", "confirm": "1"}, follow=True)

    assert check.status_code == 200
    shown = check.content.decode().split('data-testid="check-answers"')[1].split("</section>")[0]
    for text in ("Winner refused to sign the contract", "¥80,000.00", "2026-12-24"):
        assert text in shown
    assert 'name="confirm"' in shown and 'data-testid="change-outcome"' in shown
    assert unchanged == before
    pledge.refresh_from_db()
    assert response.redirect_chain == [
        (reverse("pledges:office_pledge", kwargs={"pk": pledge.pk}), 302)
    ]
    assert 'data-testid="notice-sent"' in response.content.decode()
    assert (pledge.status, pledge.breach, pledge.amount_due, pledge.payment_due) == (
        "noticed",
        "not_signed",
        Decimal("80000.00"),
        AWARDED_PAYMENT_DUE,
    )
    client.force_login(world.applicant)
    page = client.get(reverse("pledges:detail", kwargs={"pk": pledge.pk})).content.decode()
    assert 'data-testid="non-refund-notice"' in page
    assert "¥80,000.00" in page
    assert "2026-12-24" in page
    assert "Winner refused to sign the contract" in page
    assert "Awaited" in page


def test_a_kept_pledge_is_released_with_how_it_was_kept(client, world, tender):
    pledge = _pledge(world, tender)
    with bids_closed():
        client.force_login(world.regulator)
        response = client.post(
            reverse("pledges:outcome", kwargs={"pk": pledge.pk}), {"outcome": "lost"}
        )

    pledge.refresh_from_db()
    assert response.status_code == 302
    assert (pledge.status, pledge.kept, pledge.breach, pledge.outcome_by) == (
        "released",
        "lost",
        "",
        world.regulator,
    )
    page = client.get(reverse("pledges:office_pledge", kwargs={"pk": pledge.pk})).content.decode()
    assert "Did not win the tender" in page
    assert "pledge kept and released: lost" in page


def test_an_outcome_recorded_twice_is_refused(client, world, tender):
    pledge = _pledge(world, tender)
    with bids_closed():
        client.force_login(world.other_regulator)
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="no_guarantee")
        before = _snapshot()

        response = client.post(
            reverse("pledges:outcome", kwargs={"pk": pledge.pk}), {"outcome": "lost"}
        )

    page = response.content.decode()
    assert response.status_code == 400
    assert "The outcome of this pledge was already recorded" in page
    assert "records a pledge&#x27;s outcome once" in page
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("outcome", "message", "rule"),
    [
        (
            "withdrawn",
            "A bid withdrawn before the bid deadline does not breach the pledge.",
            "a withdrawal before the deadline does not",
        ),
        (
            "not_signed",
            "“Winner refused to sign the contract” cannot be recorded before the bid deadline "
            "(2026-12-10 09:00)",
            "a winner refusing to sign the contract",
        ),
    ],
)
def test_an_outcome_the_tenders_dates_do_not_allow_yet_is_refused(
    client, world, tender, outcome, message, rule
):
    pledge = _pledge(world, tender)
    client.force_login(world.regulator)
    before = _snapshot()

    response = client.post(
        reverse("pledges:outcome", kwargs={"pk": pledge.pk}), {"outcome": outcome}
    )

    page = response.content.decode()
    assert response.status_code == 400
    summary = page.split('data-testid="error"')[1].split("</div>")[0]
    assert f'href="#outcome-{outcome}"' in summary
    assert message in summary and rule in summary
    assert 'data-testid="check-answers"' not in page
    assert _snapshot() == before


def test_another_department_neither_sees_nor_records_the_outcome(client, world, tender):
    pledge = _pledge(world, tender)
    before = _snapshot()
    client.force_login(world.foreign_regulator)

    office = client.get(reverse("pledges:office")).content.decode()
    page = client.get(reverse("pledges:office_pledge", kwargs={"pk": pledge.pk}))
    outcome = client.post(
        reverse("pledges:outcome", kwargs={"pk": pledge.pk}), {"outcome": "not_signed"}
    )
    payment = client.post(reverse("pledges:payment", kwargs={"pk": pledge.pk}))

    assert 'data-testid="office-pledge-row"' not in office
    assert (page.status_code, outcome.status_code, payment.status_code) == (404, 404, 404)
    assert _snapshot() == before
    client.force_login(world.applicant)
    assert client.get(reverse("pledges:office")).status_code == 403


def test_the_authority_records_the_payment_once(client, world, tender):
    pledge = _pledge(world, tender)
    with bids_closed():
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="no_guarantee")
    client.force_login(world.regulator)

    paid = client.post(reverse("pledges:payment", kwargs={"pk": pledge.pk}))

    pledge.refresh_from_db()
    assert paid.status_code == 302
    assert (pledge.status, pledge.paid_on) == ("paid", date(2026, 12, 1))
    before = _snapshot()
    again = client.post(reverse("pledges:payment", kwargs={"pk": pledge.pk}))
    assert again.status_code == 400
    assert "No payment is awaited on this pledge" in again.content.decode()
    assert _snapshot() == before
    client.force_login(world.applicant)
    page = client.get(reverse("pledges:detail", kwargs={"pk": pledge.pk})).content.decode()
    assert "Paid on 2026-12-01" in page


def test_the_authority_announces_a_tender(client, world, today):
    client.force_login(world.regulator)

    response = client.post(
        reverse("pledges:tender_create"),
        {
            "department": world.department.pk,
            "reference": "SZ-ZB-2026-1001",
            "title": "道路养护",
            "bid_deadline": "2026-12-20T09:30",
            "deposit_amount": "50000",
        },
    )

    tender = Tender.objects.get()
    assert response.status_code == 302
    assert (tender.reference, tender.department, tender.deposit_amount) == (
        "SZ-ZB-2026-1001",
        world.department,
        Decimal("50000.00"),
    )
    assert tender.bid_deadline == dt.datetime(2026, 12, 20, 9, 30, tzinfo=SHANGHAI)


def test_a_tender_with_a_past_bid_deadline_or_another_department_is_refused(client, world, today):
    client.force_login(world.regulator)
    values = {
        "department": world.department.pk,
        "reference": "SZ-ZB-2026-1002",
        "title": "道路养护",
        "bid_deadline": "2026-11-30T09:00",
        "deposit_amount": "50000",
    }

    past = client.post(reverse("pledges:tender_create"), values)
    foreign = client.post(
        reverse("pledges:tender_create"),
        {**values, "bid_deadline": "2026-12-20T09:00", "department": world.other_department.pk},
    )

    assert past.status_code == 400
    assert "The bid deadline must be in the future" in past.content.decode()
    assert foreign.status_code == 400
    assert "Choose your department." in foreign.content.decode()
    assert Tender.objects.count() == 0


def test_an_empty_tender_form_says_what_to_enter_for_each_field(client, world, today):
    client.force_login(world.regulator)

    response = client.post(
        reverse("pledges:tender_create"),
        {"department": world.department.pk, "bid_deadline": "tomorrow", "deposit_amount": "-5"},
    )

    page = response.content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert response.status_code == 400
    for anchor, message in (
        ("#reference", "Enter the tender reference as printed on its notice."),
        ("#title", "Enter the tender&#x27;s title."),
        ("#bid_deadline", "Enter the bid deadline as a date and a time"),
        ("#deposit_amount", "Give the bid deposit as a positive amount."),
    ):
        assert f'href="{anchor}"' in summary and message in summary
    assert "---------" not in page and "This field is required." not in page
    assert Tender.objects.count() == 0


def test_the_pledge_form_offers_no_dashes_and_says_what_to_choose(client, world, tender):
    client.force_login(world.applicant)

    shown = client.get(reverse("pledges:create")).content.decode()
    response = client.post(reverse("pledges:create"), {"subject": world.subject.code})

    assert "---------" not in shown and "Choose a tender…" in shown
    assert response.status_code == 400
    assert "Choose the tender you bid for." in response.content.decode()


def test_an_unpaid_notice_shows_the_listing_on_the_bidders_side(client, world, tender):
    pledge = _pledge(world, tender)
    with bids_closed():
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="not_signed")
    assert bid_pledge_defaults_sweep(on=date(2026, 12, 25)) == 1
    client.force_login(world.applicant)

    page = client.get(reverse("pledges:detail", kwargs={"pk": pledge.pk})).content.decode()

    assert "Breached, unpaid: black-listed" in page
    assert "Unpaid after the deadline" in page
    assert (
        "On the list “Bidding pledge defaulters” since 2026-12-25, at least until 2027-12-25."
        in page
    )
