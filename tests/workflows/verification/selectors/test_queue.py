"""The lists read from the queue index: sorting, filters, search, keyset pages, counts."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.verification.models import TaskPriority
from workflows.verification.selectors import queue as queue_selectors
from workflows.verification.selectors.queue import (
    QueueFilters,
    Scope,
    keyset_page,
    nav_counts,
    task_rows,
)


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
    bulk_open_tasks(submitted_commitment, 5)
    original = queue_selectors.COUNT_CAP
    queue_selectors.COUNT_CAP = 3
    try:
        counts = queue_selectors.nav_counts(user=world.regulator)
    finally:
        queue_selectors.COUNT_CAP = original

    assert counts == {"inbox": 1, "queue": 3, "cap": 3}
    assert nav_counts(user=world.regulator)["queue"] == 5
