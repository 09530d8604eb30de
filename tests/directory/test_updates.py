"""``model_update`` saves a row read from the database as ``save()`` does, compiled once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS

from directory.updates import model_update
from workflows.verification.flows import InformCommitFlow

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)
FINISHED = {"status": PROCESS.DONE, "finished": AT, "data": {"routing_rule": 7, "注": "完成"}}


def _finished(process: Process) -> Process:
    """The process read back and finished, as the flow's end leaves it."""
    fresh = Process.objects.get(pk=process.pk)
    for name, value in FINISHED.items():
        setattr(fresh, name, value)
    return fresh


def _row(pk) -> dict:
    return {k: v for k, v in Process.objects.filter(pk=pk).values().get().items() if k != "id"}


def test_a_row_is_updated_to_the_values_save_writes_by_the_same_statement():
    created = [
        Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW, created=AT)
        for _ in range(3)
    ]
    # The ORM's save, then the statement compiled, then the statement compiled once.
    saves = [Process.save, model_update, model_update]

    with CaptureQueriesContext(connection) as queries:
        for save, process in zip(saves, created, strict=True):
            save(_finished(process))

    rows = [_row(process.pk) for process in created]
    assert rows == [rows[0]] * 3
    assert {name: rows[0][name] for name in FINISHED} == FINISHED
    updates = [re.sub(r"= \d+$", "= pk", q["sql"]) for q in queries if "UPDATE" in q["sql"]]
    assert updates == [updates[0]] * 3  # the same statement but for the key it updates


def test_the_signals_save_sends_are_sent():
    process = _finished(Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW))
    sent = []

    def receiver(signal, **kwargs):
        sent.append((signal, kwargs.get("created"), kwargs["update_fields"], kwargs["raw"]))

    pre_save.connect(receiver, sender=Process)
    post_save.connect(receiver, sender=Process)
    try:
        model_update(process)
    finally:
        pre_save.disconnect(receiver, sender=Process)
        post_save.disconnect(receiver, sender=Process)

    assert sent == [(pre_save, None, None, False), (post_save, False, None, False)]
    assert process._state.adding is False
    assert process._state.db == "default"


def test_a_row_gone_meanwhile_is_inserted_again_with_its_key_as_save_does():
    process = _finished(Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW))
    pk = process.pk
    Process.objects.filter(pk=pk).delete()

    model_update(process)

    assert process.pk == pk
    assert _row(pk)["status"] == PROCESS.DONE


def test_a_row_with_deferred_fields_is_left_to_save():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW, data={"a": 1})
    partial = Process.objects.only("pk", "status").get(pk=process.pk)
    partial.status = PROCESS.DONE

    model_update(partial)  # save() updates only the loaded fields

    assert _row(process.pk)["status"] == PROCESS.DONE
    assert _row(process.pk)["data"] == {"a": 1}
