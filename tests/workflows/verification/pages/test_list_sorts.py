"""The task lists sort by due time, creation and subject, either way: headers that say so
(``aria-sort``) and keep the filters, keyset pages in every order, the sort remembered with
the filters, and each order read from an index of its own (PostgreSQL's plan shows it)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.lists.models import SavedListFilter
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.selectors.queue import (
    Scope,
    _decode_cursor,
    encode_cursor,
    keyset_page,
    ordered,
    task_rows,
)


def _references(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split('data-testid="task-link">')[1:]]


@pytest.fixture
def shuffled(submitted_commitment):
    """Five queued tasks whose subject, creation and due orders all differ."""
    tasks = bulk_open_tasks(submitted_commitment, 5, risk_grade="D")
    base = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    names = ["丙公司", "甲公司", "戊公司", "乙公司", "丁公司"]
    created = [3, 1, 4, 0, 2]
    for position, task_id in enumerate(tasks):
        VerificationTaskIndex.objects.filter(task_id=task_id).update(
            subject_name=names[position],
            created_at=base + datetime.timedelta(hours=created[position]),
        )
    return tasks


def test_the_queue_sorts_by_subject_and_creation_both_ways(world, shuffled, client):
    client.force_login(world.other_regulator)
    url = reverse("workflows:queue") + "?grade=D"
    by_name = sorted(
        VerificationTaskIndex.objects.filter(risk_grade="D").values_list(
            "subject_name", "reference"
        )
    )
    by_created = list(
        VerificationTaskIndex.objects.filter(risk_grade="D")
        .order_by("created_at")
        .values_list("reference", flat=True)
    )

    subject_up = client.get(url + "&sort=subject").content.decode()
    subject_down = client.get(url + "&sort=-subject").content.decode()
    oldest = client.get(url + "&sort=received").content.decode()
    newest = client.get(url + "&sort=-received").content.decode()

    assert _references(subject_up) == [reference for _name, reference in by_name]
    assert _references(subject_down) == [reference for _name, reference in reversed(by_name)]
    assert _references(oldest) == by_created
    assert _references(newest) == list(reversed(by_created))
    header = re.search(
        r'<th aria-sort="(\w+)" data-testid="sort-subject"><a href="([^"]+)"', subject_up
    )
    assert header.groups() == ("ascending", "?grade=D&amp;sort=-subject")
    assert '<th aria-sort="none" data-testid="sort-due">' in subject_up
    assert '<th aria-sort="descending" data-testid="sort-received">' in newest


@pytest.mark.parametrize("sort", ["subject", "-subject", "received", "-received", "-due"])
def test_every_sort_pages_by_keyset_forward_and_back_without_gaps(world, shuffled, sort):
    rows = task_rows(user=world.other_regulator, scope=Scope.QUEUE)
    expected = list(ordered(rows, sort).values_list("task_id", flat=True))
    descending = sort.startswith("-")

    walked, after, pages = [], "", []
    while True:
        page = keyset_page(rows, after=after, size=2, descending=descending, sort=sort)
        pages.append(page)
        walked += [row.task_id for row in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    back = keyset_page(
        rows, before=pages[-1].previous_cursor, size=2, descending=descending, sort=sort
    )

    assert walked == expected
    assert [row.task_id for row in back.rows] == [row.task_id for row in pages[-2].rows]


def test_a_cursor_of_another_sort_or_tampered_starts_again(world, shuffled):
    row = VerificationTaskIndex.objects.filter(task_id=shuffled[0]).get()

    assert _decode_cursor(encode_cursor(row, "subject"), "subject") == (
        row.subject_name,
        row.task_id,
    )
    assert _decode_cursor(encode_cursor(row, "due"), "subject") is None
    assert _decode_cursor("bm90LWpzb24", "due") is None
    assert _decode_cursor(encode_cursor(row, "received"), "received")[0] == row.created_at


def test_the_lists_sort_by_the_commitment_in_the_readers_language(world, shuffled, client):
    titles = ["食品经营许可", "药品零售许可", "餐饮服务许可", "公共场所卫生许可", "医疗器械经营"]
    english = ["Food business", None, "Catering", "Public places", "Medical devices"]
    for task_id, zh, en in zip(shuffled, titles, english, strict=True):
        VerificationTaskIndex.objects.filter(task_id=task_id).update(
            template_title_zh_hans=zh, template_title_en=en
        )
    client.force_login(world.other_regulator)
    url = reverse("workflows:queue") + "?grade=D&sort="
    by_zh = [
        reference
        for _title, reference in sorted(
            VerificationTaskIndex.objects.filter(risk_grade="D").values_list(
                "template_title_zh_hans", "reference"
            )
        )
    ]
    # in English, a row without an English title sorts (and shows) by its Chinese one
    by_en = [
        reference
        for _title, reference in sorted(
            (en or zh, reference)
            for zh, en, reference in VerificationTaskIndex.objects.filter(
                risk_grade="D"
            ).values_list("template_title_zh_hans", "template_title_en", "reference")
        )
    ]

    zh_up = client.get(url + "matter", headers={"accept-language": "zh-hans"}).content.decode()
    en_down = client.get(url + "-matter", headers={"accept-language": "en"}).content.decode()

    assert _references(zh_up) == by_zh
    assert _references(en_down) == list(reversed(by_en))
    assert '<th aria-sort="ascending" data-testid="sort-matter">' in zh_up
    # keyset pages in the matter order, either way, without gaps
    rows = task_rows(user=world.other_regulator, scope=Scope.QUEUE)
    with translation.override("en"):
        walked, after = [], ""
        while True:
            page = keyset_page(rows, after=after, size=2, descending=True, sort="-matter")
            walked += [row.reference for row in page.rows]
            if not (after := page.next_cursor):
                break
    assert [ref for ref in walked if ref in by_en] == list(reversed(by_en))


def test_the_sort_is_remembered_with_the_filters(world, shuffled, client):
    client.force_login(world.other_regulator)
    url = reverse("workflows:queue")
    client.get(url + "?grade=D&sort=-subject")

    again = client.get(url)

    assert again["Location"] == url + "?grade=D&sort=-subject"
    saved = SavedListFilter.objects.get(user=world.other_regulator, list_name="tasks-queue")
    assert saved.query == "grade=D&sort=-subject"


def test_the_csv_follows_the_sort(world, shuffled, client):
    client.force_login(world.other_regulator)
    response = client.get(reverse("workflows:queue") + "?grade=D&sort=subject&format=csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    names = [line.split(",")[1] for line in body.splitlines()[1:]]

    assert names == sorted(names)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
@pytest.mark.parametrize(
    ("scope", "sort", "index"),
    [
        (Scope.INBOX, "received", "wf_index_owner_created"),
        (Scope.QUEUE, "-received", "wf_index_queue_created"),
        (Scope.TEAM, "received", "wf_index_dept_created"),
        (Scope.INBOX, "-subject", "wf_index_owner_subject"),
        (Scope.QUEUE, "subject", "wf_index_queue_subject"),
        (Scope.TEAM, "-subject", "wf_index_dept_subject"),
        (Scope.QUEUE, "due", "wf_index_queue_due"),
        (Scope.QUEUE, "-due", "wf_index_queue_due"),
        # one owner in one department: either index gives the page by a range scan
        (Scope.INBOX, "due", ("wf_index_owner_due", "wf_index_dept_owner_due")),
        (Scope.TEAM, "-due", "wf_index_dept_due"),
        # the commitment (matter) sort, in each language the lists speak
        (Scope.INBOX, "matter", "wf_index_owner_matter_zh"),
        (Scope.QUEUE, "-matter", "wf_index_queue_matter_zh"),
        (Scope.TEAM, "matter", "wf_index_dept_matter_zh"),
        (Scope.INBOX, "-matter@en", "wf_index_owner_matter_en"),
        (Scope.QUEUE, "matter@en", "wf_index_queue_matter_en"),
        (Scope.TEAM, "-matter@en", "wf_index_dept_matter_en"),
    ],
)
def test_each_offered_sort_reads_its_index_without_sorting_the_table(
    world, submitted_commitment, scope, sort, index
):
    """With sequential scans and explicit sorts priced out, a plan without a Sort node shows
    an index delivers the order: a page is a range scan, whatever the table's size."""
    # A department whose work is mostly assigned to others, so that reading the department's
    # rows and filtering would cost the table, not the page: the planner must find the list's
    # own index.
    bulk_open_tasks(submitted_commitment, 300, owner=world.other_regulator)
    bulk_open_tasks(submitted_commitment, 10)
    bulk_open_tasks(submitted_commitment, 5, owner=world.regulator)
    user = world.supervisor if scope == Scope.TEAM else world.regulator
    rows = task_rows(user=user, scope=scope)
    if scope == Scope.TEAM or scope == Scope.QUEUE:
        department = submitted_commitment.department_id
        rows = rows.filter(department_id=department)
    sort, _at, language = sort.partition("@")
    with translation.override(language or "zh-hans"):
        rows = ordered(rows, sort)[:51]
        sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("ANALYZE workflows_verificationtaskindex")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 - Django's own compiled SQL
        plan = "\n".join(line for (line,) in cursor.fetchall())

    indexes = (index,) if isinstance(index, str) else index
    assert any(f"using {name} " in plan for name in indexes), plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan
