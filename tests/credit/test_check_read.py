"""The one-statement read of "check every case" answers exactly what the ORM selector does."""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import timedelta
from itertools import product

import pytest
from django.db import connection, transaction
from django.utils import timezone

from commitments.credit_api import _default, _success
from credit import services as credit_services
from credit.check_batch import check_and_log_body
from credit.check_read import (
    Caller,
    _answer_sql,
    _check_and_log_portable,
    check_and_log,
    check_read,
)
from credit.models import CallingSystem, CheckQuery, Measure, Purpose
from credit.selectors import check_status
from directory.models import Subject
from tests.factories import SubjectFactory


@pytest.mark.parametrize("purpose", ["approval", "bid", "subsidy"])
def test_check_read_answers_as_check_status_for_a_heavy_record(world, purpose):
    for _n in range(4):
        credit_services.breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="serious",
            reason="严重逾期",
            by=world.regulator,
        )
    [entry] = world.subject.credit_list_entries.all()
    credit_services.list_entries_enter_due(on=entry.enter_not_before)
    today = timezone.localdate()

    for matter_code, matter_id in (("", None), (world.matter.code, world.matter.pk)):
        read = check_read(
            subject=world.subject.code, purpose=purpose, matter_code=matter_code, on=today
        )

        assert (read.matter_found, read.subject.pk, read.subject.name) == (
            True,
            world.subject.pk,
            world.subject.name,
        )
        assert read.status == check_status(
            subject_id=world.subject.pk, purpose=purpose, matter_id=matter_id, on=today
        )
        assert read.status.black_lists


def test_check_read_tells_an_unknown_matter_and_an_unknown_subject(world):
    today = timezone.localdate()

    unknown_matter = check_read(
        subject=world.subject.code, purpose="approval", matter_code="no-such", on=today
    )
    unknown_subject = check_read(
        subject="91440300XNOSUCH000", purpose="approval", matter_code="", on=today
    )

    assert (unknown_matter.matter_found, unknown_matter.subject.pk) == (False, world.subject.pk)
    assert (unknown_subject.matter_found, unknown_subject.subject, unknown_subject.status) == (
        True,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("breaches", "purpose"),
    [(0, "approval"), (1, "bid"), (4, "subsidy")],
)
def test_check_and_log_answers_and_logs_as_check_status(world, calling_system, breaches, purpose):
    system, key = calling_system
    for _n in range(breaches):
        credit_services.breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="serious",
            reason="严重逾期",
            by=world.regulator,
        )
    for entry in world.subject.credit_list_entries.all():
        credit_services.list_entries_enter_due(on=entry.enter_not_before)
    now = timezone.now()

    answer = check_and_log(
        token_key=key,
        subject_code=world.subject.code,
        purpose=purpose,
        matter_code=world.matter.code,
        reason="案卷 7",
        at=now,
    )

    expected = check_status(
        subject_id=world.subject.pk,
        purpose=purpose,
        matter_id=world.matter.pk,
        on=timezone.localdate(now),
    )
    assert (answer.caller, answer.matter_found, answer.subject.pk) == (
        Caller.ALLOWED,
        True,
        world.subject.pk,
    )
    assert answer.status == expected
    query = CheckQuery.objects.get()
    assert (query.pk, query.calling_system_id, query.subject_id, query.reason) == (
        answer.query_pk,
        system.pk,
        world.subject.pk,
        "案卷 7",
    )
    assert query.answer == {"found": True, **expected.summary()}


def test_check_and_log_reads_and_logs_nothing_for_a_refused_caller_or_unknown_matter(
    world, calling_system
):
    system, key = calling_system
    ask = {
        "subject_code": world.subject.code,
        "purpose": "approval",
        "reason": "案卷 8",
        "at": timezone.now(),
    }

    unknown_token = check_and_log(token_key="nope", matter_code="", **ask)
    unknown_matter = check_and_log(token_key=key, matter_code="no-such", **ask)
    CallingSystem.objects.filter(pk=system.pk).update(is_active=False)
    inactive = check_and_log(token_key=key, matter_code="", **ask)

    assert [(a.caller, a.subject, a.status, a.query_pk) for a in (unknown_token, inactive)] == [
        (Caller.UNKNOWN_TOKEN, None, None, None),
        (Caller.NOT_A_CALLING_SYSTEM, None, None, None),
    ]
    assert (unknown_matter.caller, unknown_matter.matter_found, unknown_matter.query_pk) == (
        Caller.ALLOWED,
        False,
        None,
    )
    assert CheckQuery.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL statement")
def test_the_answer_statement_fits_psycopgs_statement_cache(db):
    # psycopg parses a statement's text on every execution unless it is at most 4,096
    # characters long; the check is the hottest statement of the system.
    assert len(_answer_sql()) <= 4096


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL statement")
def test_the_statements_body_is_the_portable_answer_byte_for_byte(world, calling_system):
    # given: a company with measures (one with an end) and a black-list designation, a
    # red-listed person (masked ID; a name JSON must escape), a person whose code is no
    # 18-character ID, a clean company, and a code nobody has
    _system, key = calling_system
    breach = credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="严重逾期",
        by=world.regulator,
    )
    [entry] = breach.list_notices
    credit_services.list_entries_enter_due(on=entry.enter_not_before)
    today = timezone.localdate()
    Measure.objects.filter(subject=world.subject, measure_type__code="point_deduction").update(
        ends_on=today + timedelta(days=30)
    )
    person = SubjectFactory(
        kind=Subject.Kind.PERSON, code="11010519491231002X", name='王"小\\明"\n\t\x01 é'
    )
    credit_services.red_list_enter(
        subject_id=person.pk, list_code="trustworthy", by=world.regulator, reason="守信"
    )
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
        portable = _check_and_log_portable(**ask)

        # then: the same bytes as the view's json.dumps of the portable answer
        assert (fast.caller, fast.matter_found) == (portable.caller, portable.matter_found)
        if portable.subject is None:
            assert fast.body is None
            continue
        expected = {k: v for k, v in _success(portable).items() if k not in ("query", "checked_at")}
        body = json.dumps(expected, ensure_ascii=False, separators=(",", ":"), default=_default)
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
