"""Checks answered together: the same answers and log rows as each alone, one commit for all,
and group commit in the process hands every waiting check to the next batch; the body the
statement writes is the portable answer byte for byte."""

from __future__ import annotations

import json
import threading
from contextlib import nullcontext
from datetime import timedelta
from itertools import product

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from credit.check.api import json_default, success_body
from credit.check.models import CheckQuery
from credit.check.postgres.batch import Question, check_and_log_bodies, check_and_log_body
from credit.check.postgres.group import GroupCommit
from credit.check.read import Caller
from credit.check.services import check_and_log_portable
from credit.record.models.base import Purpose
from credit.record.models.breaches import Measure
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due, red_list_enter
from directory.models import Subject
from tests.factories import SubjectFactory, UserFactory, api_token_secret

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL statement"
)


def _ask(key: str, code: str, *, matter: str = "", purpose: str = "approval", reason="案卷"):
    return Question(key, code, purpose, matter, reason, timezone.now())


def _comparable(answer) -> tuple:
    return (answer.caller, answer.matter_found, answer.body, answer.query_pk is not None)


@postgresql_only
def test_checks_asked_together_are_answered_and_logged_as_each_alone(world, calling_system):
    # given: a subject with a serious breach (measures, a black-list notice), a clean one, a
    # code nobody has, and callers that are refused: no token, a user who is no calling system
    _system, key = calling_system
    breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="严重逾期",
        by=world.regulator,
    )
    clean = SubjectFactory()
    stranger = api_token_secret(UserFactory(username="not-a-system"))
    questions = [
        _ask(key, world.subject.code, matter=world.matter.code, reason="案卷 1"),
        _ask(key, clean.code, purpose="bid", reason="案卷 2"),
        _ask("no-such-token", world.subject.code, reason="案卷 3"),
        _ask(key, "91440300XNOSUCH000", reason="案卷 4"),
        _ask(key, world.subject.code, matter="no-such-matter", reason="案卷 5"),
        _ask(stranger, clean.code, reason="案卷 6"),
        _ask(key, world.subject.code, purpose="subsidy", reason="案卷 7"),
    ]

    # when: they are answered in one statement, and each again alone
    together = check_and_log_bodies(questions)
    alone = [check_and_log_bodies([question])[0] for question in questions]

    # then: the same answers, in the order asked, each with its own log row
    assert [_comparable(a) for a in together] == [_comparable(a) for a in alone]
    assert [a.caller for a in together] == [
        Caller.ALLOWED,
        Caller.ALLOWED,
        Caller.UNKNOWN_TOKEN,
        Caller.ALLOWED,
        Caller.ALLOWED,
        Caller.NOT_A_CALLING_SYSTEM,
        Caller.ALLOWED,
    ]
    assert [a.matter_found for a in together][4] is False
    assert json.loads(together[0].body)["black_listed"] is False  # notice, not yet listed
    assert json.loads(together[1].body)["grade"] == "A"
    assert together[3].body is None
    logged = [a.query_pk for a in together if a.query_pk is not None]
    assert len(set(logged)) == len(logged) == 4  # not for refused callers or unknown matters
    rows = {q.pk: q for q in CheckQuery.objects.filter(pk__in=logged)}
    assert [rows[pk].reason for pk in logged] == ["案卷 1", "案卷 2", "案卷 4", "案卷 7"]
    again = {a.query_pk: a for a in alone if a.query_pk is not None}
    for mine, theirs in zip(logged, again, strict=True):
        assert rows[mine].answer == CheckQuery.objects.get(pk=theirs).answer
        assert rows[mine].subject_code == CheckQuery.objects.get(pk=theirs).subject_code


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_checks_of_many_threads_are_all_answered_and_logged_once(world, calling_system):
    # given: eight threads of one process, each asking twenty checks in autocommit
    _system, key = calling_system
    threads, per_thread = 8, 20
    answers: list[list] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def ask(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                answers[n].append(
                    check_and_log_body(
                        token_key=key,
                        subject_code=world.subject.code,
                        purpose="approval",
                        matter_code="",
                        reason=f"线程 {n} 第 {i} 次",
                        at=timezone.now(),
                    )
                )
        finally:
            connections.close_all()

    # when: they ask at once
    workers = [threading.Thread(target=ask, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    # then: every check has its answer and its own log row, with the reason it was asked for
    assert [len(a) for a in answers] == [per_thread] * threads
    flat = [a for thread_answers in answers for a in thread_answers]
    assert all(json.loads(a.body)["subject"]["code"] == world.subject.code for a in flat)
    rows = dict(CheckQuery.objects.values_list("pk", "reason"))
    assert len(rows) == threads * per_thread
    for n, thread_answers in enumerate(answers):
        assert [rows[a.query_pk] for a in thread_answers] == [
            f"线程 {n} 第 {i} 次" for i in range(per_thread)
        ]


def test_group_commit_sends_the_checks_that_waited_as_the_next_batch():
    # given: a first batch that is held at the database until three more checks wait
    batches: list[list[str]] = []
    held = threading.Event()

    def run(questions):
        batches.append([q.reason for q in questions])
        if len(batches) == 1:
            held.wait(timeout=10)
        return [f"answer to {q.reason}" for q in questions]

    group = GroupCommit(run)
    results: dict[str, str] = {}

    def ask(reason: str) -> None:
        results[reason] = group.answer(_ask("k", "c", reason=reason))

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    while not batches:
        threading.Event().wait(0.001)
    later = [threading.Thread(target=ask, args=(f"later {n}",)) for n in range(3)]
    for thread in later:
        thread.start()
    while len(group._waiting) < 3:
        threading.Event().wait(0.001)

    # when: the first batch is committed
    held.set()
    for thread in [first, *later]:
        thread.join(timeout=10)

    # then: the three that waited went together, and each got its own answer
    assert batches[0] == ["first"]
    assert sorted(batches[1]) == ["later 0", "later 1", "later 2"]
    assert len(batches) == 2
    assert results == {r: f"answer to {r}" for r in ["first", "later 0", "later 1", "later 2"]}


def test_a_failed_batch_fails_each_of_its_checks_and_the_next_check_goes_on():
    # given: a database that fails once
    calls = []

    def run(questions):
        calls.append(len(questions))
        if len(calls) == 1:
            raise ConnectionError("server closed the connection")
        return ["answered" for _ in questions]

    group = GroupCommit(run)

    # when: a check meets the failure, and the next is asked
    with pytest.raises(ConnectionError, match="server closed"):
        group.answer(_ask("k", "c"))
    answer = group.answer(_ask("k", "c"))

    # then: the failure was the first check's answer; the group was not left in flight
    assert answer == "answered"
    assert calls == [1, 1]


def test_a_batch_takes_at_most_its_limit_and_hands_the_rest_on():
    # given: a group of at most two checks per batch, with five checks waiting
    batches: list[int] = []

    def run(questions):
        batches.append(len(questions))
        return [q.reason for q in questions]

    group = GroupCommit(run, limit=2)
    group._in_flight = True  # a batch is with the database while five checks arrive
    results: list[str] = []
    lock = threading.Lock()

    def ask(n: int) -> None:
        answer = group.answer(_ask("k", "c", reason=str(n)))
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    while len(group._waiting) < 5:
        threading.Event().wait(0.001)

    # when: that batch ends and hands the lead on
    with group._lock:
        group._waiting[0].leads = True
        group._waiting[0].done.set()
    for thread in threads:
        thread.join(timeout=10)

    # then: every check was answered, two at a time and the last alone
    assert sorted(results) == ["0", "1", "2", "3", "4"]
    assert batches == [2, 2, 1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL statement")
def test_the_statements_body_is_the_portable_answer_byte_for_byte(world, calling_system):
    # given: a company with measures (one with an end) and a black-list designation, a
    # red-listed person (masked ID; a name JSON must escape), a person whose code is no
    # 18-character ID, a clean company, and a code nobody has
    _system, key = calling_system
    breach = breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="严重逾期",
        by=world.regulator,
    )
    [entry] = breach.list_notices
    list_entries_enter_due(on=entry.enter_not_before)
    today = timezone.localdate()
    Measure.objects.filter(subject=world.subject, measure_type__code="point_deduction").update(
        ends_on=today + timedelta(days=30)
    )
    person = SubjectFactory(
        kind=Subject.Kind.PERSON, code="11010519491231002X", name='王"小\\明"\n\t\x01 é'
    )
    red_list_enter(subject_id=person.pk, list_code="trustworthy", by=world.regulator, reason="守信")
    short = SubjectFactory(kind=Subject.Kind.PERSON, code="H1234567")
    clean = SubjectFactory()
    codes = [world.subject.code, person.code, short.code, clean.code, "91440300XNOSUCH000"]

    for code, purpose, matter in product(codes, Purpose.values, ["", world.matter.code]):
        ask = {
            "token_key": key,
            "subject_code": code,
            "purpose": purpose,
            "matter_code": matter,
            "reason": "案卷 9",
            "at": timezone.now(),
        }
        # when: the statement writes the body, and the portable path answers the same check
        fast = check_and_log_body(**ask)
        portable = check_and_log_portable(**ask)

        # then: the same bytes as the view's json.dumps of the portable answer
        assert (fast.caller, fast.matter_found) == (portable.caller, portable.matter_found)
        if portable.subject is None:
            assert fast.body is None
            continue
        expected = {
            k: v for k, v in success_body(portable).items() if k not in ("query", "checked_at")
        }
        body = json.dumps(expected, ensure_ascii=False, separators=(",", ":"), default=json_default)
        assert fast.body.decode() == body
        assert CheckQuery.objects.get(pk=fast.query_pk).answer == (
            CheckQuery.objects.get(pk=portable.query_pk).answer
        )
    answered = json.loads(check_and_log_body(**ask | {"subject_code": person.code}).body)
    assert answered["subject"]["code"] == "110105**********2X"
    assert [e["list"] for e in answered["red_lists"]] == ["trustworthy"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL statement")
@pytest.mark.django_db(transaction=True)
def test_the_body_statement_is_prepared_again_after_the_server_dropped_it(world, calling_system):
    # given: psycopg deallocates every prepared statement after a rollback
    _system, key = calling_system
    ask = {
        "token_key": key,
        "subject_code": world.subject.code,
        "purpose": "approval",
        "matter_code": "",
        "reason": "案卷 10",
    }
    bodies = []

    # when: it is dropped in autocommit and inside a transaction, and the check asked again
    for in_transaction in (False, True):
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        with transaction.atomic() if in_transaction else nullcontext():
            answer = check_and_log_body(**ask, at=timezone.now())
        bodies.append(answer.body)

    # then: both are answered and logged
    assert bodies[0] == bodies[1]
    assert json.loads(bodies[0])["subject"]["code"] == world.subject.code
    assert CheckQuery.objects.filter(reason="案卷 10").count() == 2
