"""A regulator extends a verification deadline on the task page in Chromium: a date before the
current one is refused at the field, then a good one moves the deadline and shows in the
history with who, from what date to what date and why."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments.lifecycle.models import Commitment
from commitments.obligations.models import DeadlineExtension
from tests.browser.threads import in_a_thread
from tests.workflows.conftest import submit_commitment, task_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_regulator_extends_the_verification_deadline(world, new_page):
    commitment = in_a_thread(lambda: submit_commitment(world))
    task = in_a_thread(lambda: task_of(commitment))
    current = timezone.localdate(commitment.verification_due_at)
    new_due = current + datetime.timedelta(days=14)
    page = new_page("regulator", locale="en-US")
    page.goto(f"/regulator/tasks/{task.pk}/")
    page.get_by_test_id("extend-disclosure").locator("summary").click()

    # a date before the current deadline is refused at the field; nothing changes
    page.fill("#id_extend-new_due_date", (current - datetime.timedelta(days=1)).isoformat())
    page.fill("#id_extend-reason", "需补充现场核查")
    page.click("[data-testid=extend-submit]")
    expect(page.locator("[data-testid=extend-form]")).to_contain_text(
        f"The new due date must be after the current one ({current.isoformat()})."
    )
    assert DeadlineExtension.objects.count() == 0

    # a later date moves the deadline and the history says who, from, to and why
    page.fill("#id_extend-new_due_date", new_due.isoformat())
    page.fill("#id_extend-reason", "需补充现场核查")
    page.click("[data-testid=extend-submit]")
    expect(page.locator("[data-testid=verification-due]")).to_contain_text(new_due.isoformat())
    row = page.locator("[data-testid=verification-extensions] tbody tr")
    expect(row).to_have_count(1)
    for text in ("regulator", current.isoformat(), new_due.isoformat(), "需补充现场核查"):
        expect(row).to_contain_text(text)
    fresh = Commitment.objects.get(pk=commitment.pk)
    assert timezone.localdate(fresh.verification_due_at) == new_due
