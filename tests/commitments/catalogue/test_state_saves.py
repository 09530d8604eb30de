"""A state change is saved by an UPDATE compiled once: the row, its history and django-fsm's
refusal of a concurrent transition are what the ORM's save gives."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django_fsm import ConcurrentTransition
from simple_history import models as history_models

from commitments.lifecycle.models import Commitment
from directory import updates
from directory.audit import audited_save
from directory.history import HistoricalRecords
from tests.factories import CommitmentFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

DUE = datetime.datetime(2026, 4, 30, 15, 59, 59, 999999, tzinfo=datetime.UTC)
AT = datetime.datetime(2026, 3, 18, 1, 2, 3, 456789, tzinfo=datetime.UTC)
BASIS = {"from": "2026-03-18", "count": 30, "unit": "working_days"}


def _open(commitment: Commitment, department, regulator) -> list[str]:
    """Open the verification and save it with its history; the statements sent."""
    commitment.open_verification(department=department, due_at=DUE, due_basis=BASIS)
    with CaptureQueriesContext(connection) as queries:
        audited_save(commitment, by=regulator, reason="verification opened")
    return [q["sql"] for q in queries]


def _update(sent: list[str]) -> str:
    """The UPDATE among the statements sent (on PostgreSQL inside the history's ``WITH``)."""
    (update,) = (sql.removeprefix('WITH "updated" AS (') for sql in sent if "UPDATE" in sql)
    return update


def _writes(sent: list[str]) -> list[str]:
    return [sql for sql in sent if sql.startswith(("UPDATE", "INSERT", "WITH"))]


def _tracker() -> HistoricalRecords:
    receivers, _asynchronous = post_save._live_receivers(Commitment)
    return next(r.__self__ for r in receivers if isinstance(r.__self__, HistoricalRecords))


def _state(commitment: Commitment) -> dict:
    row = Commitment.objects.filter(pk=commitment.pk).values(
        "status", "department_id", "verification_due_at", "verification_due_basis", "decided_at"
    )
    history = commitment.history.order_by("-history_id").values(
        "status",
        "department_id",
        "verification_due_at",
        "verification_due_basis",
        "history_type",
        "history_change_reason",
        "history_user_id",
    )
    return {"row": row.get(), "history": history[0]}


def test_a_state_change_writes_what_the_orms_save_writes(monkeypatch):
    department, regulator = DepartmentFactory(), UserFactory()
    by_orm, first, compiled = (CommitmentFactory(signed=True) for _n in range(3))
    with monkeypatch.context() as patched:
        patched.setattr(updates, "update_compiled", lambda *args, **kwargs: None)
        orm_sent = _open(by_orm, department, regulator)  # the ORM's own UPDATE

    _open(first, department, regulator)
    compiled_sent = _open(compiled, department, regulator)

    assert _state(compiled) == _state(by_orm) == _state(first)
    assert _state(compiled)["row"]["status"] == Commitment.Status.UNDER_VERIFICATION
    assert _state(compiled)["history"]["history_change_reason"] == "verification opened"
    assert _state(compiled)["history"]["history_user_id"] == regulator.pk
    # The update and its history row: one statement on PostgreSQL, two elsewhere.
    assert len(_writes(orm_sent)) == 2
    assert len(_writes(compiled_sent)) == (1 if connection.vendor == "postgresql" else 2)
    # The same text: only the values bound differ (the row's own columns).
    orm_update, compiled_update = _update(orm_sent), _update(compiled_sent)
    assert compiled_update.split(" WHERE ")[0].split(" SET ")[0] == orm_update.split(" SET ")[0]
    assert (
        compiled_update.split(" WHERE ")[1].split(" = ")[0]
        == (orm_update.split(" WHERE ")[1].split(" = ")[0])
    )


def test_the_history_row_written_with_the_update_is_simple_historys_own_value_for_value():
    department, regulator = DepartmentFactory(), UserFactory()
    _open(CommitmentFactory(signed=True), department, regulator)  # compiled by now
    commitment = CommitmentFactory(signed=True)
    commitment._history_date = AT
    _open(commitment, department, regulator)
    written = commitment.history.latest("history_id")

    # simple-history's own method, for the same instance as it was saved.
    history_models.HistoricalRecords.create_historical_record(_tracker(), commitment, "~")
    theirs = commitment.history.latest("history_id")

    history = Commitment.history.model
    ours, expected = (
        {
            k: v
            for k, v in history.objects.filter(pk=row.pk).values().get().items()
            if k != "history_id"
        }
        for row in (written, theirs)
    )
    assert ours == expected
    assert ours["history_date"] == AT and ours["history_type"] == "~"
    assert (ours["history_user_id"], ours["history_change_reason"]) == (
        regulator.pk,
        "verification opened",
    )


def test_a_transition_from_a_state_the_row_has_left_is_refused_and_changes_nothing():
    department, regulator = DepartmentFactory(), UserFactory()
    _open(CommitmentFactory(signed=True), department, regulator)  # compiled by now
    commitment = CommitmentFactory(signed=True)
    stale = Commitment.objects.get(pk=commitment.pk)
    _open(commitment, department, regulator)
    before = _state(commitment)

    stale.withdraw(reason="changed my mind")  # from signed, which the row has left
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        audited_save(stale, by=regulator, reason="withdrawn")

    assert _state(commitment) == before
    assert before["row"]["status"] == Commitment.Status.UNDER_VERIFICATION
