"""The regulator's task page in Chromium: on a wide screen the case and the action panel side
by side, on a phone the case first and the action below; no horizontal scroll either way; a
breach finding is checked before it is recorded."""

from __future__ import annotations

import importlib

import pytest
from playwright.sync_api import expect

from commitments.lifecycle.models import Commitment
from tests.browser.threads import in_a_thread
from tests.workflows.conftest import submit_commitment, task_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Transactional tests empty the tables after each test: seed the credit rules again."""
    from django.apps import apps

    importlib.import_module("credit.migrations.0002_seed_rules_and_catalogue").seed(apps, None)


WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_case_and_the_action_panel_side_by_side_then_stacked(world, new_page):
    commitment = in_a_thread(lambda: submit_commitment(world))
    task = in_a_thread(lambda: task_of(commitment))
    page = new_page("regulator", locale="en-US")
    page.set_viewport_size(WIDE)
    page.goto(f"/regulator/tasks/{task.pk}/")

    case = page.locator(".task-case")
    actions = page.get_by_test_id("action-panel")
    expect(page.get_by_test_id("verify-form")).to_be_visible()
    wide_case, wide_actions = case.bounding_box(), actions.bounding_box()
    assert wide_actions["x"] >= wide_case["x"] + wide_case["width"]  # beside, on the right
    assert abs(wide_actions["y"] - wide_case["y"]) < 2  # starting at the same height
    assert wide_case["y"] < 400  # the case is on the first screen
    expect(page.get_by_test_id("extend-form")).to_be_hidden()  # behind its disclosure
    assert _fits_the_screen(page)

    page.set_viewport_size(PHONE)
    phone_case, phone_actions = case.bounding_box(), actions.bounding_box()
    assert phone_actions["y"] >= phone_case["y"] + phone_case["height"]  # the action below
    assert _fits_the_screen(page)


def test_a_breach_is_shown_back_before_it_is_recorded(world, new_page):
    commitment = in_a_thread(lambda: submit_commitment(world))
    task = in_a_thread(lambda: task_of(commitment))
    page = new_page("regulator", locale="en-US")
    page.goto(f"/regulator/tasks/{task.pk}/")

    page.locator("[name=finding][value=breached]").check()
    page.locator("#id_reason").fill("经营场所为住宅")
    page.get_by_test_id("verify-submit").click()

    expect(page.get_by_test_id("confirm-reason")).to_have_text("经营场所为住宅")
    expect(page.get_by_test_id("consequence-measures")).to_be_visible()
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.UNDER_VERIFICATION
    page.get_by_test_id("confirm-breach").click()

    expect(page.get_by_test_id("breach-recorded")).to_be_visible()
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.BREACHED
