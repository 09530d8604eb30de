"""The queue index and the lists read from it: sorting, filters, search, keyset pages, counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.workflows.bulk import bulk_open_tasks
from tests.workflows.conftest import task_of
from workflows.models import TaskPriority, VerificationTaskIndex
from workflows.queue_selectors import (
    QueueFilters,
    Scope,
    keyset_page,
    nav_counts,
    task_rows,
)
from workflows.services import (
    verification_complete,
    verification_task_claim,
    verification_task_release,
)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


def test_the_index_follows_the_task_through_its_life(world, submitted_commitment):
    # given a signed commitment: its task is indexed with the deadline and its holder
    task = task_of(submitted_commitment)
    row = VerificationTaskIndex.objects.get(task=task)
    assert (row.owner, row.department, row.due_at, row.reference, row.method) == (
        world.regulator,
        world.department,
        submitted_commitment.verification_due_at,
        submitted_commitment.reference,
        "on_site",
    )
    assert row.remind_at is not None and row.remind_at < row.due_at

    # when it is released, claimed and verified
    verification_task_release(task=task, by=world.regulator)
    assert VerificationTaskIndex.objects.get(task=task).owner is None
    verification_task_claim(task=task, by=world.other_regulator)
    assert VerificationTaskIndex.objects.get(task=task).owner == world.other_regulator
    verification_complete(
        task=task, by=world.other_regulator, method="on_site", finding="fulfilled"
    )

    # then the finished task has left the index
    assert not VerificationTaskIndex.objects.filter(task=task).exists()


def test_lists_sort_by_due_date_then_priority(world, submitted_commitment):
    due = timezone.now() + datetime.timedelta(days=3)
    low = bulk_open_tasks(submitted_commitment, 1, start=due, priority=TaskPriority.LOW)
    urgent = bulk_open_tasks(submitted_commitment, 1, start=due, priority=TaskPriority.URGENT)
    earlier = bulk_open_tasks(
        submitted_commitment, 1, start=due - datetime.timedelta(hours=1), priority=TaskPriority.LOW
    )

    rows = list(
        task_rows(user=world.regulator, scope=Scope.QUEUE).values_list("task_id", flat=True)
    )

    assert rows == earlier + urgent + low


def test_filters_and_search(world, submitted_commitment):
    soon = timezone.now() + datetime.timedelta(hours=2)
    later = timezone.now() + datetime.timedelta(days=20)
    graded_d = bulk_open_tasks(submitted_commitment, 2, start=soon, risk_grade="D")
    online = bulk_open_tasks(submitted_commitment, 1, start=later, method="online")
    overdue = bulk_open_tasks(
        submitted_commitment, 1, start=timezone.now() - datetime.timedelta(days=1)
    )
    named = bulk_open_tasks(
        submitted_commitment, 1, start=later, subject_name="深圳市特别餐厅", reference="REFX1"
    )

    def ids(**kwargs):
        return set(
            task_rows(
                user=world.regulator, scope=Scope.QUEUE, filters=QueueFilters(**kwargs)
            ).values_list("task_id", flat=True)
        )

    assert ids(grade="D") == set(graded_d)
    assert ids(method="online") == set(online)
    assert ids(due="overdue") == set(overdue)
    assert ids(due="week") == set(graded_d + overdue)
    assert ids(q="特别") == set(named)
    assert ids(q="refx") == set(named)
    assert ids(matter=world.matter.pk) == set(graded_d + online + overdue + named)
    assert ids(status="escalated") == set()


def test_another_departments_tasks_never_appear(world, submitted_commitment):
    bulk_open_tasks(submitted_commitment, 3)

    assert task_rows(user=world.foreign_regulator, scope=Scope.QUEUE).count() == 0
    assert task_rows(user=world.regulator, scope=Scope.TEAM).count() == 0  # not a supervisor
    assert task_rows(user=world.supervisor, scope=Scope.TEAM).count() == 4


def test_keyset_pages_walk_forward_and_back_without_gaps(world, submitted_commitment):
    created = bulk_open_tasks(submitted_commitment, 7)
    rows = task_rows(user=world.regulator, scope=Scope.QUEUE)

    first = keyset_page(rows, size=3)
    second = keyset_page(rows, after=first.next_cursor, size=3)
    third = keyset_page(rows, after=second.next_cursor, size=3)
    back = keyset_page(rows, before=third.previous_cursor, size=3)

    walked = [row.task_id for page in (first, second, third) for row in page.rows]
    assert walked == created
    assert third.next_cursor == ""
    assert [row.task_id for row in back.rows] == [row.task_id for row in second.rows]
    assert keyset_page(rows, after="not-a-cursor", size=3).rows == first.rows


def test_menu_counts_stop_at_the_cap(world, submitted_commitment, settings):
    from workflows import queue_selectors

    bulk_open_tasks(submitted_commitment, 5)
    original = queue_selectors.COUNT_CAP
    queue_selectors.COUNT_CAP = 3
    try:
        counts = queue_selectors.nav_counts(user=world.regulator)
    finally:
        queue_selectors.COUNT_CAP = original

    assert counts == {"inbox": 1, "queue": 3, "cap": 3}
    assert nav_counts(user=world.regulator)["queue"] == 5


@pytest.mark.parametrize("url_name", ["workflows:inbox", "workflows:queue", "workflows:team"])
def test_list_pages_cost_the_same_queries_with_more_tasks(
    world, submitted_commitment, client_as, url_name
):
    client = client_as(world.supervisor)
    bulk_open_tasks(submitted_commitment, 3, owner=world.supervisor)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name), {"due": "week", "grade": "B", "q": "批量"})
            assert response.status_code == 200
        return len(queries)

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
