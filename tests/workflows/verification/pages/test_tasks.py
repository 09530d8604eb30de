"""Regulator pages: inbox, queue, team and task page, department isolation, double submits, and
the same queries whatever the number of tasks."""

from __future__ import annotations

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


def test_verifying_through_the_page(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)

    response = client_as(world.regulator).post(
        reverse("workflows:verify", args=[task.pk]),
        {"method": "on_site", "finding": "breached", "reason": "场所为住宅"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("workflows:inbox"), 302)]
    assert f"Finding recorded for {submitted_commitment.reference}" in response.content.decode()
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == "breached"


def test_a_breach_without_reason_redisplays_the_form(world, submitted_commitment, client_as):
    task = task_of(submitted_commitment)
    before = _state(submitted_commitment)

    response = client_as(world.regulator).post(
        reverse("workflows:verify", args=[task.pk]), {"method": "on_site", "finding": "breached"}
    )

    assert response.status_code == 200
    assert "A breach needs its reason." in response.content.decode()
    assert _state(submitted_commitment) == before


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
