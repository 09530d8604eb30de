"""The task lists as officers work them: sorted by due time either way, a claim button in each
queue row, the time left in working days, filters remembered per officer, and CSV downloads
with the same filters and the same permission."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from viewflow.workflow.models import Task

from tests.workflows.conftest import task_of
from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.lists.models import SavedListFilter
from workflows.verification.services.work import verification_task_release

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
FRIDAY = datetime.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)


@pytest.fixture
def client_as(client):
    def login(user, language="en"):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return login


@pytest.fixture
def queued(world, submitted_commitment):
    """Three unassigned tasks due next Monday, Wednesday and last Thursday (Friday today)."""
    with time_machine.travel(FRIDAY, tick=False):
        verification_task_release(task=task_of(submitted_commitment), by=world.regulator)
        tasks = bulk_open_tasks(submitted_commitment, 3, risk_grade="D")
        days = [datetime.datetime(2026, 12, day, 18, tzinfo=SHANGHAI) for day in (7, 9, 3)]
        from workflows.verification.models import VerificationTaskIndex

        for task_id, due in zip(tasks, days, strict=True):
            VerificationTaskIndex.objects.filter(task_id=task_id).update(due_at=due)
        VerificationTaskIndex.objects.filter(
            task__process_id=submitted_commitment.process_id
        ).update(risk_grade="A", due_at=datetime.datetime(2026, 12, 30, 18, tzinfo=SHANGHAI))
        yield tasks


def _references(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split('data-testid="task-link">')[1:]]


def test_the_queue_sorts_by_due_time_both_ways_and_says_so(world, queued, client_as):
    client = client_as(world.other_regulator)
    with time_machine.travel(FRIDAY, tick=False):
        ascending = client.get(reverse("workflows:queue") + "?grade=D").content.decode()
        descending = client.get(reverse("workflows:queue") + "?grade=D&sort=-due").content.decode()
        unknown = client.get(reverse("workflows:queue") + "?grade=D&sort=subject_name").content

    assert _references(ascending) == ["BULK00000002", "BULK00000000", "BULK00000001"]
    assert _references(descending) == ["BULK00000001", "BULK00000000", "BULK00000002"]
    assert 'aria-sort="ascending"' in ascending and 'aria-sort="descending"' in descending
    # the header link turns the order and keeps the filters
    assert 'href="?grade=D&amp;sort=-due"' in ascending
    assert _references(unknown.decode()) == _references(ascending)  # not whitelisted


def test_a_descending_queue_pages_by_keyset(world, submitted_commitment, client_as):
    bulk_open_tasks(submitted_commitment, 60, risk_grade="C")
    client = client_as(world.other_regulator)
    first = client.get(reverse("workflows:queue") + "?grade=C&sort=-due").content.decode()
    next_link = first.split('data-testid="page-next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(reverse("workflows:queue") + next_link.replace("&amp;", "&")).content
    references = _references(first) + _references(second.decode())

    assert references == [f"BULK{n:08d}" for n in range(59, -1, -1)]


def test_a_queue_row_claims_its_task(world, queued, submitted_commitment, client_as):
    client = client_as(world.other_regulator)
    task = task_of(submitted_commitment)
    page = client.get(reverse("workflows:queue") + "?grade=A").content.decode()
    assert page.count('data-testid="row-claim"') == 1
    assert f'action="/regulator/tasks/{task.pk}/claim/"' in page
    assert 'name="csrfmiddlewaretoken"' in page

    response = client.post(reverse("workflows:claim", args=[task.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("workflows:task", args=[task.pk])
    assert Task.objects.get(pk=task.pk).owner == world.other_regulator
    inbox = client.get(reverse("workflows:inbox")).content.decode()
    assert submitted_commitment.reference in inbox
    assert 'data-testid="row-claim"' not in inbox  # my own tasks: nothing to claim


def test_rows_say_the_working_days_left_and_overdue_in_words(world, queued, client_as):
    client = client_as(world.other_regulator, language="zh-hans")
    with time_machine.travel(FRIDAY, tick=False):
        page = client.get(reverse("workflows:queue") + "?grade=D").content.decode()

    marks = [part.split("<")[0] for part in page.split('data-testid="urgency">')[1:]]
    # Thursday is behind; Monday is the first working day after Friday, Wednesday the third
    assert marks == ["已逾期 1 个工作日", "剩余 1 个工作日", "剩余 3 个工作日"]
    assert '<span class="urgency overdue" data-testid="urgency">已逾期' in page


def test_filters_are_remembered_per_officer_until_cleared(world, queued, client_as):
    client = client_as(world.other_regulator)
    url = reverse("workflows:queue")
    client.get(url + "?grade=D&sort=-due&after=xyz")

    # the next visit opens with them, without the page cursor
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == url + "?grade=D&sort=-due"
    assert client.get(response["Location"]).content.decode().count('data-testid="task-row"') == 3
    # another officer and another list start clean
    assert client_as(world.regulator).get(url).status_code == 200
    assert client_as(world.other_regulator).get(reverse("workflows:inbox")).status_code == 200

    cleared = client.get(url + "?clear=1")
    assert cleared.status_code == 302 and cleared["Location"] == url
    assert client.get(url).status_code == 200
    assert not SavedListFilter.objects.filter(user=world.other_regulator).exists()


def test_the_queue_downloads_as_csv_with_its_filters(world, queued, client_as):
    client = client_as(world.other_regulator, language="zh-hans")
    with time_machine.travel(FRIDAY, tick=False):
        response = client.get(reverse("workflows:queue") + "?grade=D&sort=-due&format=csv")
        body = b"".join(response.streaming_content).decode("utf-8")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:6] == ["编号", "主体", "统一社会信用代码", "承诺书", "核查截止日期", "剩余时间"]
    assert [row[0] for row in rows[1:]] == ["BULK00000001", "BULK00000000", "BULK00000002"]
    assert rows[1][4:6] == ["2026-12-09", "剩余 3 个工作日"]
    assert not SavedListFilter.objects.exists()  # a download is not a visit


def test_the_csv_keeps_the_lists_permissions(world, queued, client_as):
    url = reverse("workflows:queue") + "?format=csv"
    assert client_as(world.applicant).get(url).status_code == 403
    foreign = client_as(world.foreign_regulator).get(url)
    assert foreign.status_code == 200
    assert b"".join(foreign.streaming_content).decode("utf-8").count("\n") == 1  # header only
