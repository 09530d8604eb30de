"""A regulator's day in Chromium: claim from the queue, verify with evidence, and the
supervisor's reassignments, one by one and in bulk."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from viewflow.workflow.models import Task

from commitments.lifecycle.models import Commitment
from tests.browser.threads import in_a_thread
from tests.workflows.conftest import submit_commitment, task_of
from workflows.verification.services.work import verification_task_release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _signed_and_queued(world):
    commitments = [submit_commitment(world) for _ in range(4)]
    queued = [
        verification_task_release(task=task_of(c), by=task_of(c).owner) for c in commitments[:2]
    ]
    return commitments, queued


def test_a_regulators_day(world, new_page, tmp_path):
    # Given four signed commitments; two wait in the department queue
    commitments, queued = in_a_thread(lambda: _signed_and_queued(world))

    # When regulator2 opens the queue, filters by reference and claims the first
    regulator = new_page("regulator2", locale="en-US")
    regulator.goto("/regulator/queue/")
    expect(regulator.get_by_test_id("queue-count")).to_have_text("2")
    regulator.get_by_test_id("search").fill(commitments[0].reference)
    regulator.get_by_test_id("filter-submit").click()
    expect(regulator.get_by_test_id("task-row")).to_have_count(1)
    regulator.get_by_test_id("task-link").click()
    regulator.get_by_test_id("claim").click()
    expect(regulator.get_by_test_id("task-owner")).to_have_text("regulator2")

    # and records an on-site finding with a photo of the premises
    photo = tmp_path / "premises.png"
    photo.write_bytes(PNG)
    regulator.select_option("[name=method]", "on_site")
    regulator.locator("[name=finding][value=fulfilled]").check()
    regulator.get_by_test_id("evidence-summary").fill("经营场所与承诺一致")
    regulator.get_by_test_id("inspection-location").fill("南山区科技园1号")
    regulator.get_by_test_id("evidence").set_input_files(str(photo))
    regulator.get_by_test_id("verify-submit").click()
    expect(regulator.get_by_test_id("messages")).to_contain_text(commitments[0].reference)

    # Then the commitment is fulfilled with its evidence on record
    first = Commitment.objects.get(pk=commitments[0].pk)
    assert first.status == Commitment.Status.FULFILLED
    assert first.verification.evidence.get().original_name == "premises.png"
    expect(regulator.get_by_test_id("queue-count")).to_have_text("1")

    # When the supervisor reassigns the other queued task to regulator on its page
    supervisor = new_page("supervisor", locale="en-US")
    supervisor.goto(f"/regulator/tasks/{queued[1].pk}/")
    supervisor.get_by_test_id("reassign-disclosure").locator("summary").click()
    supervisor.get_by_test_id("reassign-to").select_option(str(world.regulator.pk))
    supervisor.get_by_test_id("reassign-reason").fill("knows the district")
    supervisor.get_by_test_id("reassign-submit").click()
    expect(supervisor.get_by_test_id("task-owner")).to_have_text("regulator")
    expect(supervisor.get_by_test_id("timeline")).to_contain_text("knows the district")

    # and moves every task of the team to regulator2 in one go
    open_tasks = [task_of(c) for c in commitments[1:]]
    already = [t for t in open_tasks if t.owner_id == world.other_regulator.pk]
    supervisor.goto("/regulator/team/")
    rows = supervisor.get_by_test_id("task-row")
    expect(rows).to_have_count(3)
    for checkbox in supervisor.get_by_test_id("select-task").all():
        checkbox.check()
    supervisor.get_by_test_id("bulk-to").select_option(str(world.other_regulator.pk))
    supervisor.get_by_test_id("bulk-reason").fill("regulator is on a course")
    supervisor.get_by_test_id("bulk-submit").click()

    # Then each task reports its own result: moved, or refused with the reason
    results = supervisor.get_by_test_id("bulk-result")
    expect(results).to_have_count(3)
    expect(supervisor.locator('[data-outcome="failed"]')).to_have_count(len(already))
    expect(supervisor.locator('[data-outcome="ok"]')).to_have_count(3 - len(already))
    assert set(
        Task.objects.filter(pk__in=[t.pk for t in open_tasks]).values_list("owner_id", flat=True)
    ) == {world.other_regulator.pk}

    # and regulator2 finds them in its inbox, due dates first
    regulator.goto("/regulator/")
    expect(regulator.get_by_test_id("task-row")).to_have_count(3)
