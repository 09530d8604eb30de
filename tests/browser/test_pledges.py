"""A bidding pledge in Chromium: the bidder pledges and signs on a phone, the tendering
authority records a breach, the non-refund notice appears on the bidder's side."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.pledges.models import BidPledge
from commitments.pledges.services import tender_create
from tests.credit_seeds import credit_rules_seed
from tests.factories import CompetenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Transactional tests empty the tables after each test: seed the lists again."""
    credit_rules_seed(pledge_defaulters=True)


@pytest.fixture
def on_a_working_day():
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True):
        yield


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_pledge_signed_on_a_phone_then_breached_brings_the_notice(
    world, new_page, on_a_working_day
):
    # Given a tender of the world's department that takes pledges until 2026-12-10
    CompetenceFactory(
        matter=active_template(CommitmentTemplate.Kind.BIDDING_PLEDGE).matter,
        region=world.region,
        department=world.department,
    )
    tender_create(
        by=world.regulator,
        department=world.department,
        reference="SZ-ZB-2026-0815",
        title="南山区学校食堂配餐服务",
        bid_deadline=dt.datetime(2026, 12, 10, 9, tzinfo=SHANGHAI),
        deposit_amount="80000.00",
    )

    # When the applicant, on a phone, pledges for it and signs the pledge
    applicant = new_page("applicant", locale="en-US")
    applicant.set_viewport_size(PHONE)
    applicant.goto(reverse("commitments:list"))
    applicant.get_by_test_id("nav-pledges").click()
    applicant.get_by_test_id("pledge-new").click()
    expect(applicant.get_by_test_id("tender-row")).to_contain_text("SZ-ZB-2026-0815")
    assert _fits_the_screen(applicant)
    applicant.get_by_test_id("tender-select").select_option("SZ-ZB-2026-0815")
    applicant.get_by_test_id("pledge-prepare").click()
    # The browser asks for English: the built-in template's text is shown in English.
    with translation.override("en"):
        pledge_text = active_template(CommitmentTemplate.Kind.BIDDING_PLEDGE).commitment_text
    expect(applicant.get_by_test_id("commitment-text")).to_contain_text(pledge_text)
    assert _fits_the_screen(applicant)
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("sign").click()

    # Then the pledge stands in place of the deposit, with its signed commitment
    expect(applicant.get_by_test_id("pledge-status").first).to_have_text("Pledged")
    pledge = BidPledge.objects.get()
    assert (pledge.subject, pledge.commitment.is_signed) == (world.subject, True)

    # When, after the bid deadline, the tendering authority records that the winner refused
    # to sign the contract, checks the amount it demands and confirms
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, tzinfo=SHANGHAI), tick=True):
        regulator = new_page("regulator", locale="en-US")
        regulator.goto(reverse("workflows:inbox"))
        regulator.get_by_test_id("nav-pledges-office").click()
        regulator.get_by_test_id("office-pledge-row").get_by_role("link").click()
        regulator.get_by_test_id("outcome-not_signed").check()
        regulator.get_by_test_id("outcome-submit").click()
        expect(regulator.get_by_test_id("check-amount")).to_have_text("¥80,000.00")
        expect(regulator.get_by_test_id("check-payment-due")).to_have_text("2026-12-24")
        assert BidPledge.objects.get().status == "pledged"  # nothing recorded before confirming
        regulator.get_by_test_id("confirm-outcome").click()
        expect(regulator.get_by_test_id("notice-sent")).to_be_visible()
        expect(regulator.get_by_test_id("payment-form")).to_be_visible()

    # Then the bidder sees the non-refund notice with the amount and the payment deadline
    applicant.reload()
    notice = applicant.get_by_test_id("non-refund-notice")
    expect(notice).to_be_visible()
    expect(applicant.get_by_test_id("amount-due")).to_have_text("¥80,000.00")
    expect(applicant.get_by_test_id("payment-due")).to_have_text("2026-12-24")
    expect(applicant.get_by_test_id("payment-status")).to_have_text("Awaited")
    expect(applicant.get_by_test_id("pledge-outcome")).to_have_text(
        "Winner refused to sign the contract"
    )
    expect(applicant.get_by_test_id("unread-count")).to_have_text("1")
    assert _fits_the_screen(applicant)
    assert BidPledge.objects.get().status == "noticed"
