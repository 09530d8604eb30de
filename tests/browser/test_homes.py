"""The applicant's and the regulator's homes in Chromium on a phone: what to do next fits the
screen, and the counts and menu lead where they say."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.threads import in_a_thread
from tests.factories import ObjectionFactory
from tests.workflows.conftest import submit_commitment, task_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _home_on_a_phone(new_page, username: str):
    """Log in on a phone and open the home: what to do next is there and fits the screen."""
    page = new_page(username)
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_test_id("home-next")).to_be_visible()
    assert _fits(page)
    return page


def _follow(page, testid: str) -> str:
    """Click the link, and return where it led (which must fit the screen too)."""
    page.get_by_test_id(testid).click()
    page.wait_for_load_state()
    assert _fits(page)
    return page.url


def test_the_applicants_home_on_a_phone_leads_to_its_credit_record(world, new_page):
    # Given a commitment under verification
    in_a_thread(lambda: submit_commitment(world))

    # When the applicant logs in on a phone,
    page = _home_on_a_phone(new_page, "applicant")

    # then its home counts what awaits it and leads to its credit record.
    expect(page.get_by_test_id("home-awaiting").get_by_test_id("count")).to_have_text("1")
    assert _follow(page, "home-credit-record").endswith(f"/credit/{world.subject.code}/")


def test_the_regulators_home_on_a_phone_leads_to_its_objections(world, new_page):
    # Given a task held by a regulator and an objection with its department
    holder = in_a_thread(lambda: task_of(submit_commitment(world)).owner.get_username())
    in_a_thread(lambda: ObjectionFactory(department=world.department))

    # When the regulator logs in on a phone,
    page = _home_on_a_phone(new_page, holder)

    # then its home shows the department's cases and leads to them,
    expect(page.get_by_test_id("home-objections").get_by_test_id("count")).to_have_text("1")
    assert _follow(page, "home-objections").endswith("/regulator/credit/")
    # and the messages page keeps the office's menu.
    assert _follow(page, "nav-messages").endswith("/notifications/")
    expect(page.get_by_test_id("nav-credit-cases")).to_be_visible()
