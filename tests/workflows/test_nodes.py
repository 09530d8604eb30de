"""The task rows the flows' nodes write in one go are the rows viewflow writes."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow import lock
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from directory.rows import Link, link_insert, model_insert
from tests.workflows.conftest import submit_commitment, task_of
from workflows.nodes import (
    SelectForUpdateLock,
    select_for_update_lock,
    task_write,
    unfinished_task_count,
)
from workflows.verification.flows import InformCommitFlow

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)


def _task(process: Process) -> Task:
    task = Task(
        process=process,
        flow_task=InformCommitFlow.check_finding,
        token=Token("start/1"),
        status=STATUS.DONE,
        created=AT,
        started=AT,
        finished=AT + datetime.timedelta(seconds=1),
        data={"finding": "履行", "n": 1},
    )
    task.flow_task_type = task.flow_task.task_type  # what Task.save() adds
    return task


def _row(pk) -> dict:
    values = Task.objects.filter(pk=pk).values().get()
    values.pop("id")
    return values


def test_task_rows_are_the_orms_value_for_value():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)

    with CaptureQueriesContext(connection) as queries:
        orm = _task(process)
        orm.save()
        first, compiled = _task(process), _task(process)
        model_insert(first)  # compiles
        model_insert(compiled)  # the statement compiled once

    assert len({orm.pk, first.pk, compiled.pk}) == 3
    assert _row(compiled.pk) == _row(orm.pk) == _row(first.pk)
    assert _row(compiled.pk)["data"] == {"finding": "履行", "n": 1}
    assert compiled._state.adding is False
    sent = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert sent == [sent[0]] * 3


def _link(previous: Task) -> Link:
    return Link(Task.previous.through, "from_task", "to_task", previous.pk)


def _links(**filters) -> list[tuple[int, int]]:
    return list(
        Task.previous.through.objects.filter(**filters)
        .order_by("pk")
        .values_list("from_task_id", "to_task_id")
    )


def test_a_task_and_its_link_are_the_rows_save_and_previous_add_write():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    tasks = [_task(process)]
    model_insert(tasks[0])
    with CaptureQueriesContext(connection) as queries:
        for n in range(1, 5):
            task = _task(process)
            model_insert(task, link=_link(tasks[n - 1]))  # the task and its link
            tasks.append(task)
        link_insert(_link(tasks[3]), source_pk=tasks[4].pk, using="default")  # linked already

    assert _links() == [(t.pk, p.pk) for t, p in zip(tasks[1:], tasks, strict=False)]
    assert list(tasks[4].previous.all()) == [tasks[3]]
    assert all(_row(t.pk) == _row(tasks[0].pk) for t in tasks[1:])
    sent = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        # Once compiled, a task and its link are one statement.
        assert sent[-2].startswith('WITH "new" AS (INSERT INTO "viewflow_task"')
        assert len(sent) < 4 * 2 + 1
    else:
        assert len(sent) == 4 * 2 + 1


def test_a_link_alone_is_the_row_previous_add_writes():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    first, second = _task(process), _task(process)
    first.save()
    second.save()
    second.previous.add(first)
    expected = _links(from_task=second)
    Task.previous.through.objects.filter(from_task=second).delete()

    link_insert(_link(first), source_pk=second.pk, using="default")

    assert _links(from_task=second) == expected == [(second.pk, first.pk)]


def _armed(process: Process) -> tuple[Task, list[Task]]:
    """``verify`` done, with its overdue timer armed, one already fired and one of another
    node (an exemption's) on the same host: only the first is disarmed."""
    host = _task(process)
    host.flow_task = InformCommitFlow.verify
    host.flow_task_type = host.flow_task.task_type
    host.save()
    timers = []
    for node, status in [
        (InformCommitFlow.verification_overdue, STATUS.SCHEDULED),
        (InformCommitFlow.verification_overdue, STATUS.DONE),
        (InformCommitFlow.exemption_window_closed, STATUS.SCHEDULED),
    ]:
        timer = _task(process)
        timer.flow_task, timer.status, timer.finished = node, status, None
        timer.flow_task_type = node.task_type
        timer.save()
        timer.previous.add(host)
        timers.append(timer)
    return host, timers


def _states(timers: list[Task]) -> list[tuple]:
    return [
        tuple(Task.objects.filter(pk=t.pk).values_list("status", "finished").get()) for t in timers
    ]


def _orm_disarm(node, host: Task) -> None:
    """What the receiver sent before it was compiled: the ORM's update."""
    Task.objects.filter(
        flow_task=node,
        process=host.process,
        previous=host,
        status__in=[STATUS.NEW, STATUS.SCHEDULED],
    ).update(status=STATUS.CANCELED, finished=AT)


def test_a_timer_is_disarmed_by_the_statement_and_to_the_rows_queryset_update_writes(
    monkeypatch,
):
    node = InformCommitFlow.verification_overdue
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    armed = [_armed(process) for _ in range(3)]
    monkeypatch.setattr("workflows.nodes.now", lambda: AT)
    monkeypatch.setattr(node, "_disarm", None)  # compiled afresh in this test
    with CaptureQueriesContext(connection) as orm_queries, transaction.atomic():
        _orm_disarm(node, armed[1][0])  # the ORM's statement for the second host, undone
        transaction.set_rollback(True)

    with CaptureQueriesContext(connection) as queries:
        for host, _timers in armed[:2]:
            node._on_host_finished(task=host)  # compiles, then the statement compiled once
    _orm_disarm(node, armed[2][0])

    expected = [(STATUS.CANCELED, AT), (STATUS.DONE, None), (STATUS.SCHEDULED, None)]
    assert [_states(timers) for _host, timers in armed] == [expected] * 3
    assert len(queries) == 2  # one statement per host, as the ORM sends
    # Compiled on PostgreSQL; SQLite binds datetimes as text, so the ORM updates there.
    assert (node._disarm.compiled["default"] is not None) == (connection.vendor == "postgresql")
    orm_update = [q["sql"] for q in orm_queries if q["sql"].startswith("UPDATE")]
    assert [queries[1]["sql"]] == orm_update


def _done(task: Task) -> Task:
    """The task read back and done, as a human task's completion leaves it."""
    fresh = Task.objects.get(pk=task.pk)
    fresh.status, fresh.finished = STATUS.DONE, AT + datetime.timedelta(minutes=5)
    fresh.data = {"finding": "不履行"}
    return fresh


def test_a_task_saved_again_is_the_row_save_writes_by_one_statement():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    tasks = [_task(process) for _ in range(3)]
    for task in tasks:
        task.save()
    orm, first, compiled = (_done(task) for task in tasks)

    with CaptureQueriesContext(connection) as queries:
        orm.save()
        task_write(first)  # compiles
        task_write(compiled)  # the statement compiled once

    assert _row(compiled.pk) == _row(first.pk) == _row(orm.pk)
    assert _row(orm.pk)["data"] == {"finding": "不履行"}
    sent = [re.sub(r"= \d+$", "= pk", q["sql"]) for q in queries]
    assert sent == [sent[0]] * 3
    assert sent[0].startswith("UPDATE")


def _verify_rows(commitment) -> tuple[dict, list]:
    """The verify task's row (but for keys and instants) and the nodes it links back to."""
    task = task_of(commitment)
    row = Task.objects.filter(pk=task.pk).values().get()
    for name in ("id", "process_id", "created", "assigned"):
        row.pop(name)
    previous = [str(t.flow_task) for t in task.previous.all()]
    return row, previous


def test_a_human_task_is_the_row_and_link_viewflows_create_writes(world, monkeypatch):
    with transaction.atomic():
        monkeypatch.setattr(InformCommitFlow.verify, "activation_class", ViewActivation)
        expected = _verify_rows(submit_commitment(world))  # viewflow's own create, undone
        monkeypatch.undo()
        transaction.set_rollback(True)

    with CaptureQueriesContext(connection) as queries:
        commitment = submit_commitment(world)
    rows = _verify_rows(commitment)

    assert rows == expected
    assert rows[0]["status"] == STATUS.ASSIGNED
    assert rows[0]["owner_id"] is not None
    assert rows[0]["owner_permission"] == "workflows.verify_commitment"
    assert rows[1] == [str(InformCommitFlow.check_exemption)]
    # A link on its own (the gate's, the task's, its timer's) only where the statement that
    # writes a task and its link together is not spoken (SQLite).
    alone = [q for q in queries if q["sql"].startswith(("INSERT INTO", "INSERT OR IGNORE INTO"))]
    alone = [q for q in alone if '"viewflow_task_previous"' in q["sql"].split("(")[0]]
    assert len(alone) == (0 if connection.vendor == "postgresql" else 3)


def _lock_statements(process: Process, lock) -> list[str]:
    with CaptureQueriesContext(connection) as queries, lock(InformCommitFlow, process.pk):
        pass
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT")]


def test_the_process_lock_locks_the_row_viewflows_lock_locks_by_a_statement_compiled_once():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    viewflows = _lock_statements(process, lock.SelectForUpdateLock())

    ours = [_lock_statements(process, SelectForUpdateLock())[0] for _ in range(2)]

    assert len(viewflows) == 1
    assert ours == [ours[0]] * 2
    # The same row, table, lock and limit: only what is read differs (its key, not ``1``).
    assert ours[0].split(" FROM ", 1)[1] == viewflows[0].split(" FROM ", 1)[1]
    assert ("FOR UPDATE NOWAIT" in ours[0]) == (connection.vendor == "postgresql")
    assert InformCommitFlow.lock_impl is select_for_update_lock


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_process_locked_elsewhere_is_refused_as_viewflows_lock_refuses_it():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Process.objects.select_for_update().filter(pk=process.pk).exists()
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(timeout=30)
    try:
        with (
            pytest.raises(FlowLockFailed),
            SelectForUpdateLock(attempts=1)(InformCommitFlow, process.pk),
        ):
            pass
    finally:
        release.set()
        holder.join(timeout=30)

    with SelectForUpdateLock(attempts=1)(InformCommitFlow, process.pk):
        pass  # free again once the other transaction ended


def test_the_end_counts_the_unfinished_tasks_viewflow_counts():
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    other = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    for owner, finished in [(process, None), (process, AT), (process, None), (other, None)]:
        task = _task(owner)
        task.finished = finished
        task.save()
    end = InformCommitFlow.end_fulfilled.activation_class(
        Task(process=process, flow_task=InformCommitFlow.end_fulfilled)
    )

    counted = [unfinished_task_count(end) for _ in range(2)]  # compiles, then compiled once

    viewflows = Task.objects.filter(process=process, finished__isnull=True).count()
    assert counted == [viewflows] * 2 == [2, 2]
