"""Regulator pages: inbox, queue, team and task page, department isolation, double submits, and
the same queries whatever the number of tasks."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment, Verification
from tests.workflows.conftest import submit_commitment, task_of
from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.verification.services.work import (
    verification_task_release,
)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


def _state(commitment: Commitment) -> tuple:
    commitment = Commitment.objects.get(pk=commitment.pk)
    tasks = tuple(
        Task.objects.filter(process_id=commitment.process_id)
        .order_by("pk")
        .values_list("status", "owner_id")
    )
    return commitment.status, Verification.objects.count(), tasks


def test_inbox_lists_my_tasks_with_menu_counts(world, submitted_commitment, client_as):
    response = client_as(world.regulator).get(reverse("workflows:inbox"))

    assert response.status_code == 200
    page = response.content.decode()
    assert submitted_commitment.reference in page
    assert 'data-testid="inbox-count">1<' in page
    assert 'data-testid="queue-count">0<' in page


def test_queue_lists_unassigned_tasks(world, submitted_commitment, client_as):
    verification_task_release(task=task_of(submitted_commitment), by=world.regulator)

    response = client_as(world.other_regulator).get(reverse("workflows:queue"))

    assert response.status_code == 200
    assert submitted_commitment.reference in response.content.decode()
    assert 'data-testid="queue-count">1<' in response.content.decode()


def test_task_page_shows_the_commitment_as_signed(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)

    response = client_as(world.regulator).get(reverse("workflows:task", args=[task.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    commitment = submitted_commitment
    obligation = commitment.obligations.get()
    for text in (
        commitment.reference,
        world.subject.name,
        world.template.title,
        "深圳市南山区科技园1号",
        "热食类食品制售",
        world.template.notice_liability,
        obligation.title,
        obligation.due_date.isoformat(),
        obligation.due_explanation,
        commitment.verification_due_explanation,
        'data-testid="verify-submit"',
        'data-testid="release"',
    ):
        assert text in page, text
    assert 'data-testid="claim"' not in page  # already mine


def test_task_page_links_the_signed_pdf(world, submitted_commitment, client_as):
    url = reverse("commitments:download", kwargs={"reference": submitted_commitment.reference})
    task = task_of(submitted_commitment)

    response = client_as(world.regulator).get(reverse("workflows:task", args=[task.pk]))

    assert f'href="{url}"' in response.content.decode()
    assert client_as(world.regulator).get(url).status_code == 200


def test_a_queued_task_offers_the_claim_button(world, submitted_commitment, client_as):
    task = verification_task_release(task=task_of(submitted_commitment), by=world.regulator)
    client = client_as(world.other_regulator)

    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert 'data-testid="claim"' in page

    response = client.post(reverse("workflows:claim", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.ASSIGNED, world.other_regulator)

    again = client.post(reverse("workflows:claim", args=[task.pk]), follow=True)
    assert "You have already claimed this task." in again.content.decode()


@pytest.mark.parametrize(
    "url_name,method",
    [
        ("workflows:task", "get"),
        ("workflows:claim", "post"),
        ("workflows:release", "post"),
        ("workflows:verify", "post"),
    ],
)
def test_another_departments_task_is_not_found(
    world, submitted_commitment, client_as, url_name, method
):
    task = task_of(submitted_commitment)
    before = _state(submitted_commitment)
    client = client_as(world.foreign_regulator)

    response = getattr(client, method)(
        reverse(url_name, args=[task.pk]), {"method": "on_site", "finding": "fulfilled"}
    )

    assert response.status_code == 404
    assert _state(submitted_commitment) == before


def test_applicants_cannot_enter_the_regulator_area(world, submitted_commitment, client_as):
    response = client_as(world.applicant).get(reverse("workflows:inbox"))

    assert response.status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("workflows:inbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_breach_is_checked_then_recorded_on_confirmation(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)
    client = client_as(world.regulator)
    url = reverse("workflows:verify", args=[task.pk])
    answers = {"method": "on_site", "finding": "breached", "reason": "场所为住宅"}
    before = _state(submitted_commitment)

    # When the regulator records a breach, the answers and the consequences are shown back
    check = client.post(url, answers)

    assert check.status_code == 200
    page = check.content.decode()
    assert 'data-testid="check-answers"' in page
    assert "场所为住宅" in page
    consequences = page.split('data-testid="breach-consequences"')[1].split("</dl>")[0]
    assert "False commitment" in consequences
    assert "Published from" in consequences
    assert 'data-testid="consequence-measures"' in consequences
    assert 'name="confirm"' in page and 'name="change"' in page
    # and nothing is recorded yet
    assert _state(submitted_commitment) == before

    # When they confirm, the breach is recorded and the task page shows what happens next
    done = client.post(url, {**answers, "confirm": "1"}, follow=True)

    assert done.redirect_chain == [(reverse("workflows:task", args=[task.pk]), 302)]
    assert f"Finding recorded for {submitted_commitment.reference}" in done.content.decode()
    assert 'data-testid="breach-recorded"' in done.content.decode()
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == "breached"
    assert Verification.objects.get(commitment=submitted_commitment).reason == "场所为住宅"


def test_change_brings_the_answers_back_to_the_form(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)
    before = _state(submitted_commitment)

    response = client_as(world.regulator).post(
        reverse("workflows:verify", args=[task.pk]),
        {"method": "on_site", "finding": "breached", "reason": "场所为住宅", "change": "1"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="verify-form"' in page
    assert "场所为住宅</textarea>" in page
    assert re.search(r'<input type="radio" name="finding" value="breached"[^>]* checked', page)
    assert _state(submitted_commitment) == before


def test_evidence_files_chosen_with_a_breach_are_kept_through_the_check(
    world, submitted_commitment, client_as
):
    task = task_of(submitted_commitment)
    client = client_as(world.regulator)
    url = reverse("workflows:verify", args=[task.pk])
    answers = {"method": "on_site", "finding": "breached", "reason": "场所为住宅"}

    check = client.post(
        url, {**answers, "evidence_files": [SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0rest")]}
    )
    token = check.content.decode().split('name="held_files" value="')[1].split('"')[0]
    client.post(url, {**answers, "held_files": token, "confirm": "1"})

    verification = Verification.objects.get(commitment=submitted_commitment)
    evidence = verification.evidence.get()
    assert (evidence.original_name, evidence.content_type) == ("p.jpg", "image/jpeg")


def test_a_breach_without_reason_redisplays_the_form(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)
    before = _state(submitted_commitment)

    response = client_as(world.regulator).post(
        reverse("workflows:verify", args=[task.pk]), {"method": "on_site", "finding": "breached"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_reason"' in summary
    assert "Say what was found and where: a breach needs its reason." in summary
    assert _state(submitted_commitment) == before


def _claimed_task_page(world, commitment, client_as) -> tuple:
    """The regulator claims the commitment's task and opens its page."""
    task = task_of(commitment)
    client = client_as(world.regulator)
    client.post(reverse("workflows:claim", args=[task.pk]))
    return task, client, client.get(reverse("workflows:task", args=[task.pk])).content.decode()


def test_the_finding_and_extension_forms_have_their_own_field_ids(
    world, submitted_commitment, client_as
):
    task, client, page = _claimed_task_page(world, submitted_commitment, client_as)

    assert page.count('id="id_reason"') == 1
    assert page.count('id="id_extend-reason"') == 1
    verify_form = page.split('data-testid="verify-form"')[1].split("</form>")[0]
    assert '<label for="id_reason">' in verify_form and 'id="id_reason"' in verify_form
    assert 'name="reason"' in verify_form and "extend-reason" not in verify_form

    # and a reason typed into the finding form lands in the finding
    answers = {"method": "on_site", "finding": "breached", "reason": "现场无经营"}
    client.post(reverse("workflows:verify", args=[task.pk]), {**answers, "confirm": "1"})
    assert Verification.objects.get(commitment=submitted_commitment).reason == "现场无经营"


def test_the_task_page_shows_the_case_before_the_action_panel(
    world, submitted_commitment, client_as
):
    _, _, page = _claimed_task_page(world, submitted_commitment, client_as)

    case, actions = page.split('data-testid="action-panel"')
    assert 'data-testid="download"' in case and 'data-testid="subject"' in case
    assert 'data-testid="verify-form"' in actions
    # the extension waits behind a disclosure, closed
    assert '<details class="card" data-testid="extend-disclosure">' in actions
    assert actions.index('data-testid="verify-form"') < actions.index("extend-disclosure")


def test_a_double_submitted_finding_is_recorded_once(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)
    client = client_as(world.regulator)
    url = reverse("workflows:verify", args=[task.pk])
    data = {"method": "on_site", "finding": "fulfilled"}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(reverse("workflows:task", args=[task.pk]), 302)]
    assert "This verification has already been recorded." in second.content.decode()
    assert Verification.objects.filter(commitment=submitted_commitment).count() == 1


def test_the_inbox_page_costs_the_same_queries_for_more_tasks(world, client_as):
    submit_commitment(world)
    client = client_as(world.regulator)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("workflows:inbox")).status_code == 200
        return len(queries)

    one = page_queries()
    for _ in range(4):
        submit_commitment(world)
    assert page_queries() == one


@pytest.mark.parametrize("url_name", ["workflows:inbox", "workflows:queue", "workflows:team"])
def test_list_pages_cost_the_same_queries_with_more_tasks(
    world, submitted_commitment, client_as, url_name
):
    client = client_as(world.supervisor)
    bulk_open_tasks(submitted_commitment, 3, owner=world.supervisor)
    bulk_open_tasks(submitted_commitment, 3)  # every list has rows (and their working days)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name), {"due": "week", "grade": "B", "q": "批量"})
            assert response.status_code == 200
        return len(queries)

    page_queries()  # the first visit with these filters also saves them for the next
    few = page_queries()
    bulk_open_tasks(submitted_commitment, 120, owner=world.supervisor)
    bulk_open_tasks(submitted_commitment, 120)

    assert page_queries() == few


def test_the_queue_page_filters_and_pages(world, submitted_commitment, client_as):
    bulk_open_tasks(submitted_commitment, 60)
    client = client_as(world.other_regulator)

    page = client.get(reverse("workflows:queue")).content.decode()
    assert page.count('data-testid="task-row"') == 50
    assert 'data-testid="page-next"' in page
    assert 'data-testid="queue-count">60<' in page

    filtered = client.get(reverse("workflows:queue"), {"q": "批量公司7"}).content.decode()
    assert filtered.count('data-testid="task-row"') == 1


def test_deadlines_show_their_date_and_how_they_were_computed(
    world, submitted_commitment, client_as
):
    task = task_of(submitted_commitment)

    page = (
        client_as(world.regulator).get(reverse("workflows:task", args=[task.pk])).content.decode()
    )

    assert timezone.localtime(submitted_commitment.verification_due_at).strftime("%Y-%m-%d") in page
    assert submitted_commitment.verification_due_explanation in page
    assert "working days before the due date" in page


def test_the_verify_page_takes_files_and_the_inspection(world, submitted_commitment, client):
    task = task_of(submitted_commitment)
    client.force_login(world.regulator)

    response = client.post(
        reverse("workflows:verify", args=[task.pk]),
        {
            "method": "on_site",
            "finding": "fulfilled",
            "evidence_summary": "场所与承诺一致",
            "inspected_on": timezone.localdate().isoformat(),
            "inspection_location": "南山区",
            "inspectors": "王五",
            "evidence_files": [SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0rest")],
        },
    )

    assert response.status_code == 302
    verification = Verification.objects.get(commitment=submitted_commitment)
    assert verification.detail.inspectors == "王五"
    assert verification.evidence.get().content_type == "image/jpeg"
    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert "场所与承诺一致" in page and "p.jpg" in page


def test_the_team_page_shows_the_workload(world, client):
    submit_commitment(world)
    submit_commitment(world)
    client.force_login(world.supervisor)

    page = client.get(reverse("workflows:team")).content.decode()

    assert page.count('data-testid="workload-row"') == 3
    assert 'data-user="regulator"' in page


def test_the_breach_check_reads_in_chinese(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)
    client = client_as(world.regulator)

    page = client.post(
        reverse("workflows:verify", args=[task.pk]),
        {"method": "on_site", "finding": "breached", "reason": "场所为住宅"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()

    for text in ("录入违约前请核对", "失信行为类别", "适用规则", "确认并录入违约", "修改"):
        assert text in page
    for english in ("Check before", "Confirm and record", "Breach category", "Publicity"):
        assert english not in page
