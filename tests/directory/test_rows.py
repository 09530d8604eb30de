"""A row inserted by a statement compiled once is the row the ORM inserts, value for value."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from simple_history import models as history_models

from directory.history import HistoricalRecords
from directory.models import Subject
from directory.rows import insert_compiled, model_insert, save_new
from tests.factories import SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)


def _tracker(model) -> HistoricalRecords:
    """The ``HistoricalRecords`` that writes ``model``'s history (its ``post_save`` receiver)."""
    receivers, _asynchronous = post_save._live_receivers(model)
    return next(
        receiver.__self__
        for receiver in receivers
        if isinstance(getattr(receiver, "__self__", None), HistoricalRecords)
    )


def _row(model, pk) -> dict:
    values = model.objects.filter(pk=pk).values().get()
    values.pop(model._meta.pk.attname)
    return values


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT")]


def test_history_rows_are_simple_historys_own_value_for_value():
    subject = SubjectFactory(checksum_override_reason="核对无误")
    subject._history_date = AT
    subject._history_user = UserFactory()
    subject._change_reason = "code corrected"
    tracker = _tracker(Subject)
    history = Subject.history.model

    with CaptureQueriesContext(connection) as queries:
        # simple-history's own method: the ORM builds the statement.
        history_models.HistoricalRecords.create_historical_record(tracker, subject, "~")
        orm = history.objects.latest("history_id")
        tracker.create_historical_record(subject, "~")  # compiles (sent as the ORM sends it)
        tracker.create_historical_record(subject, "~")  # the statement compiled once
        compiled = history.objects.latest("history_id")

    assert compiled.history_id != orm.history_id
    assert _row(history, compiled.pk) == _row(history, orm.pk)
    assert _row(history, compiled.pk)["history_change_reason"] == "code corrected"
    assert _row(history, compiled.pk)["history_date"] == AT
    orm_sql, *compiled_sql = _inserts(queries)
    assert compiled_sql == [orm_sql, orm_sql]


def test_a_new_row_is_saved_as_save_does_with_its_signals_and_state():
    region = SubjectFactory().region
    seen = []

    def record(sender, instance, created, **kwargs):
        seen.append((instance.pk, created, instance._state.adding))

    post_save.connect(record, sender=Subject)
    try:
        rows = []
        for n in range(3):
            subject = Subject(kind=Subject.Kind.COMPANY, code=f"91440300MA5F{n:06d}", name="甲")
            subject.region = region
            save_new(subject)
            rows.append(subject)
    finally:
        post_save.disconnect(record, sender=Subject)

    assert [pk for pk, _created, _adding in seen] == [s.pk for s in rows]
    assert all(created and not adding for _pk, created, adding in seen)
    for subject in rows:
        stored = Subject.objects.get(pk=subject.pk)
        assert stored.created_at == subject.created_at  # auto_now_add set before the insert
        assert subject._state.db == "default"
        assert stored.region_id == region.pk
    assert Subject.history.filter(id__in=[s.pk for s in rows], history_type="+").count() == 3


def test_an_expression_is_left_to_the_orm():
    subject = SubjectFactory()
    meta = Subject._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    for n in range(2):
        template = Subject(
            kind=Subject.Kind.COMPANY, code=f"91440300MA5G{n:06d}", name="x", region=subject.region
        )
        model_insert(template)
    draft = Subject(kind=Subject.Kind.COMPANY, code="91440300MA5H000000", region=subject.region)
    draft.name = Value("以表达式命名")

    insert_compiled(draft, fields=fields, using="default")

    assert Subject.objects.filter(name="以表达式命名", code="91440300MA5H000000").exists()


def test_an_existing_row_is_saved_by_the_orm():
    subject = SubjectFactory()
    subject.name = "改名"

    with CaptureQueriesContext(connection) as queries:
        model_insert(subject)

    assert queries[0]["sql"].startswith("UPDATE")
    assert Subject.objects.get(pk=subject.pk).name == "改名"
