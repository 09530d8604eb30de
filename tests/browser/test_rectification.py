"""A rectification cycle in Chromium: the regulator orders it (checking the answers first),
the applicant sees it on the home page and submits what was fixed, the regulator verifies
again and the commitment is fulfilled, every step in the timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commitments.lifecycle.models import Commitment
from tests.browser.threads import in_a_thread
from tests.workflows.conftest import submit_commitment, task_of
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import Rectification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rectification_cycle(world, new_page):
    commitment = in_a_thread(lambda: submit_commitment(world))
    task = in_a_thread(lambda: task_of(commitment))

    # the regulator orders rectification from the task page, and checks the answers first
    regulator = new_page("regulator", locale="en-US")
    regulator.goto(f"/regulator/tasks/{task.pk}/")
    regulator.click("[data-testid=order-rectification]")
    regulator.fill("[data-testid=rectify-gaps]", "消毒柜未安装")
    regulator.fill("[data-testid=rectify-working-days]", "5")
    regulator.click("[data-testid=rectify-submit]")
    expect(regulator.get_by_test_id("check-answers")).to_contain_text("消毒柜未安装")
    assert not Rectification.objects.exists()  # nothing is recorded before confirming
    regulator.click("[data-testid=confirm-rectify]")
    expect(regulator.locator("body")).to_contain_text("Rectification of")
    assert Rectification.objects.get().status == Rectification.Status.ORDERED

    # the applicant sees it on the home page and submits what was fixed
    applicant = new_page("applicant", locale="en-US")
    applicant.goto("/")
    applicant.get_by_test_id("home-notice").first.click()
    expect(applicant.get_by_test_id("rectification-gaps")).to_contain_text("消毒柜未安装")
    applicant.fill("[data-testid=rectification-text]", "已安装消毒柜")
    applicant.click("[data-testid=rectification-submit]")
    timeline = applicant.get_by_test_id("timeline")
    expect(timeline).to_contain_text("regulator ordered rectification")
    expect(timeline).to_contain_text("applicant submitted the rectification")

    # the regulator verifies again: fulfilled
    reverify = in_a_thread(lambda: task_of(commitment, InformCommitFlow.reverify))
    regulator.goto(f"/regulator/tasks/{reverify.pk}/")
    expect(regulator.get_by_test_id("rectification-submission")).to_contain_text("已安装消毒柜")
    regulator.get_by_test_id("finding").locator("input[value=fulfilled]").check()
    regulator.click("[data-testid=verify-submit]")
    expect(regulator.locator("body")).to_contain_text("Finding recorded")
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.FULFILLED
    assert Rectification.objects.get().status == Rectification.Status.FULFILLED
