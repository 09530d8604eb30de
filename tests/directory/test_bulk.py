"""Rows inserted by ``bulk_insert`` (compiled once) are the rows ``bulk_create`` inserts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from simple_history import manager as history_manager

from commitments.obligations.models import Obligation, WarningSchedule
from directory.bulk import _BULKS, bulk_insert, bulk_insert_with_history
from tests.factories import CommitmentFactory, ObligationFactory, UserFactory, WarningStepFactory

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)
# Not the model's own: its rows differ only by what each test sets apart.
LEFT_OUT = {"id", "history_id", "commitment_id", "history_relation_id"}


def _rows(model, pks) -> list[dict]:
    rows = model.objects.filter(pk__in=pks).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in LEFT_OUT} for row in rows]


def _obligations(commitment, count: int) -> list[Obligation]:
    obligations = []
    for n in range(count):
        obligation = ObligationFactory.build(commitment=commitment)
        obligation.title = f"第{n}项"
        obligation.due_basis = {**obligation.due_basis, "n": n, "text": "按期"}
        obligations.append(obligation)
    return obligations


class _Statements(list):
    """The statements' text as sent, before the values are bound."""

    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.parametrize("count", [1, 3])
def test_rows_keys_and_state_are_bulk_creates(count):
    orm_rows = _obligations(CommitmentFactory(), count)
    statements = _Statements()
    with connection.execute_wrapper(statements):
        Obligation.objects.bulk_create(orm_rows)
        for _ in range(2):  # the first compiles, the second sends what was compiled
            rows = _obligations(CommitmentFactory(template=orm_rows[0].commitment.template), count)
            assert bulk_insert(Obligation, rows) == rows

    assert all(row.pk is not None and not row._state.adding for row in rows)
    assert all(row._state.db == "default" for row in rows)
    assert _rows(Obligation, [r.pk for r in rows]) == _rows(Obligation, [r.pk for r in orm_rows])
    table = connection.ops.quote_name(Obligation._meta.db_table)
    orm, first, second = (sql for sql in statements if sql.startswith(f"INSERT INTO {table}"))
    assert orm == first == second
    if count > 1:  # the statement was kept (one row is ``insert_compiled``'s, ADR 0040)
        assert [plan for key, plan in _BULKS.items() if key[0] is Obligation and key[-1] == count]
        assert None not in [plan for key, plan in _BULKS.items() if key[0] is Obligation]


def test_history_rows_are_simple_historys_own():
    user = UserFactory()
    obligations = _obligations(CommitmentFactory(), 2)
    bulk_insert(Obligation, obligations)
    manager = Obligation.history
    told = {"default_user": user, "default_change_reason": "set on signing", "default_date": AT}

    theirs = history_manager.HistoryManager.bulk_history_create(manager, obligations, **told)
    ours = [manager.bulk_history_create(obligations, **told) for _ in range(2)]

    history = Obligation.history.model
    expected = _rows(history, [row.pk for row in theirs])
    assert expected[0]["history_user_id"] == user.pk
    assert expected[0]["history_change_reason"] == "set on signing"
    for rows in ours:
        assert _rows(history, [row.pk for row in rows]) == expected


@pytest.mark.parametrize("count", [1, 3])
def test_rows_with_their_history_are_bulk_insert_and_bulk_history_creates_rows(count):
    # given the rows and history rows the two statements write (and compile)
    user, commitment = UserFactory(), CommitmentFactory()
    told = {"default_user": user, "default_change_reason": "set on signing"}
    theirs = _obligations(commitment, count)
    for obligation in theirs:
        obligation._history_date = AT
    bulk_insert(Obligation, theirs)
    Obligation.history.bulk_history_create(theirs, **told)

    # when
    ours = _obligations(commitment, count)
    for obligation in ours:
        obligation._history_date = AT
    statements = _Statements()
    with connection.execute_wrapper(statements):
        assert bulk_insert_with_history(Obligation, ours, **told) == ours

    # then: the same rows, each history row with its own row's key and values
    assert all(row.pk is not None and not row._state.adding for row in ours)
    assert all(row._state.db == "default" for row in ours)
    assert _rows(Obligation, [r.pk for r in ours]) == _rows(Obligation, [r.pk for r in theirs])
    history = Obligation.history.model

    def written(rows):
        return [
            {k: v for k, v in row.items() if k not in LEFT_OUT}
            for row in history.objects.filter(id__in=[r.pk for r in rows]).order_by("id").values()
        ]

    assert written(ours) == written(theirs)
    assert written(ours)[0]["history_user_id"] == user.pk
    for obligation in ours:
        row = history.objects.get(id=obligation.pk)
        assert (row.title, row.due_basis) == (obligation.title, obligation.due_basis)
    # on PostgreSQL one statement for both
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)


def test_a_conflict_is_ignored_and_left_unsaved_as_bulk_create_leaves_it():
    step = WarningStepFactory()
    obligation = ObligationFactory(commitment=CommitmentFactory(template=step.template))

    def schedule():
        return WarningSchedule(obligation=obligation, step=step, kind="warning", due_at=AT)

    bulk_insert(WarningSchedule, [schedule()])
    again, orm_again = schedule(), schedule()
    bulk_insert(WarningSchedule, [again], ignore_conflicts=True)
    WarningSchedule.objects.bulk_create([orm_again], ignore_conflicts=True)

    assert WarningSchedule.objects.filter(obligation=obligation).count() == 1
    assert (again.pk, again._state.adding) == (orm_again.pk, orm_again._state.adding)


def test_an_expression_is_left_to_the_orm():
    obligations = _obligations(CommitmentFactory(), 2)
    obligations[1].title = Value("以表达式命名")

    bulk_insert(Obligation, obligations)

    assert Obligation.objects.get(pk=obligations[1].pk).title == "以表达式命名"
