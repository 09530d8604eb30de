"""The supervisor's exempt cases waiting for a draw, in Chromium at phone and desktop width:
the rows, the counts and the filters fit the screen, pass axe-core, and sorting keeps them."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import (  # noqa: F401 - the fixture is used by name
    SCREENS,
    _problems,
    axe_source,
)
from tests.browser.threads import in_a_thread
from tests.factories import ExemptionRuleFactory, GradeRuleFactory, SubjectFactory
from tests.workflows.conftest import submit_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _two_exempt_cases(world):
    # A transactional test before this one may have flushed the grade rules the migrations
    # seed: without any, every subject is grade D and nobody is exempt.
    GradeRuleFactory(effective_from=datetime.date(2020, 1, 1))
    ExemptionRuleFactory(matter=world.matter, spot_checks_drawn=True)
    other = SubjectFactory(
        name="深圳市另一餐饮有限公司", region=world.region, representative=world.applicant
    )
    return [submit_commitment(world), submit_commitment(world, subject=other)]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_exempt_cases_fit_the_screen_and_sort(world, new_page, axe_source, width):  # noqa: F811
    # Given two exempt cases of the supervisor's department waiting for a draw
    cases = in_a_thread(lambda: _two_exempt_cases(world))

    # When the supervisor opens the list from the menu
    page = new_page("supervisor")
    page.set_viewport_size(SCREENS[width])
    page.goto("/regulator/")
    page.get_by_test_id("nav-exempt").first.click()
    page.wait_for_url("**/regulator/exempt/**")

    # Then both are listed and counted, with the working days left
    expect(page.get_by_test_id("exempt-row")).to_have_count(2)
    expect(page.get_by_test_id("exempt-counts")).to_contain_text("2 件免核查案件等待抽查")
    expect(page.get_by_test_id("urgency").first).to_contain_text("工作日")
    # the filters are folded on a phone only
    fold = page.get_by_test_id("filter-fold")
    if width == 390:
        expect(page.get_by_test_id("filters")).to_be_hidden()
        fold.locator("summary").click()
    expect(page.get_by_test_id("filters")).to_be_visible()
    page.evaluate(axe_source)
    assert _problems(page, width) == []

    # When they sort by subject, descending (the headers on a desktop, the filters on a phone,
    # which shows no table header), the order follows and the page still fits
    if width == 390:
        page.get_by_test_id("sort").select_option("-subject")
        page.get_by_test_id("filter-submit").click()
    else:
        page.get_by_test_id("sort-subject").click()
        page.wait_for_url("**sort=subject**")
        page.get_by_test_id("sort-subject").click()
    page.wait_for_url("**sort=-subject**")
    names = sorted((c.subject.name, c.reference) for c in cases)
    rows = page.get_by_test_id("exempt-row")
    expect(rows.first).to_have_attribute("data-reference", names[-1][1])
    page.evaluate(axe_source)
    assert _problems(page, width) == []
