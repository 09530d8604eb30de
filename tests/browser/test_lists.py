"""The department queue in Chromium: filters folded on a phone and open on a wide screen,
the working days left in each row, and a claim from the row, without any CSP report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_regulator_day import _signed_and_queued
from tests.browser.threads import in_a_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_on_a_phone_and_a_desk(world, new_page):
    _commitments, queued = in_a_thread(lambda: _signed_and_queued(world))
    page = new_page("regulator2")

    # On a phone the filters wait behind their summary
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/regulator/queue/")
    expect(page.get_by_test_id("task-row")).to_have_count(2)
    expect(page.get_by_test_id("filter-submit")).to_be_hidden()
    expect(page.get_by_test_id("urgency").first).to_contain_text("个工作日")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # on a wide screen they are open without a click
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(page.get_by_test_id("filter-submit")).to_be_visible()

    # and the row's claim button makes the task theirs
    page.get_by_test_id("row-claim").first.click()
    expect(page.get_by_test_id("task-owner")).to_have_text("regulator2")
