"""viewflow's nodes without the statements our flows do not need (ADR 0036).

viewflow wraps each automatic step (a gateway's condition, the end, arming a timer) in a
savepoint of its own, so that a failure can be recorded on the task (``ERROR``) while the rest
of the transaction goes on. That happens only when the activation context does not propagate
exceptions; when it does (the default, and how our services run every flow), the failure
undoes the caller's whole transaction anyway and the savepoint is two statements for nothing.
These subclasses skip it then and keep viewflow's own behaviour otherwise.

- ``NewProcessStartHandle``: a start from code whose callback inserts the process (it needs
  its key to link the domain row): viewflow would save it again and lock a row that no other
  transaction can see yet.
- ``If``, ``End``, ``TimerBoundary``: the task row of an automatic step is written once,
  done (or scheduled), instead of inserted new and updated a moment later; a timer whose host
  finishes is cancelled by one update instead of a read and an update per timer.
- ``TimerBoundary(..., cancelled=this.callback)``: an interrupting timer that fires tells the
  flow which host tasks it cancelled and the state each left, so the flow can audit them.
- ``select_for_update_lock``: viewflow's process lock (``select ... for update nowait`` on
  the process row, the same attempts), its statement compiled once per process class instead
  of a queryset built and compiled on every action on a task.
- ``View``: a human task whose row (with its link to the step it came from) is inserted, and
  later saved, by statements compiled once per process (``task_write``), as the automatic
  steps' rows and the start's are.

viewflow is used as a library: nothing of it is patched, only subclassed (its licence's
exception and viewflow-notes.md).
"""

from __future__ import annotations

import logging
import random
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, transaction
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.flow.nodes import TimerBoundary as ViewflowTimerBoundary
from viewflow.workflow.nodes.boundary import TimerBoundaryActivation
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import flow_finished, flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from directory.compiled import CompiledQuery, CompiledUpdateQuery
from directory.rows import Link, model_insert
from directory.updates import model_update

logger = logging.getLogger(__name__)

# A host task in one of these states is over: an interrupting timer leaves it alone.
HOST_ENDED = [STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]
# A process key no call passes (the lock's and the end's statements are compiled with it).
LOCK_SENTINEL = -104_717
# Values no call passes, for the process, host task and moment of a timer's disarming.
DISARM_SENTINELS = (-104_729, -104_723, datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC))


@contextmanager
def _created_in_this_transaction(flow_class, process_pk):
    yield


def task_write(task, *, previous=None) -> None:
    """``task.save()``, its statement compiled once per process; a new task with
    ``previous`` is also linked to it (``task.previous.add(previous)``).

    A new task's row and its link are inserted by statements compiled once (``model_insert``,
    on PostgreSQL in one statement); a task read or written before is saved by its
    ``UPDATE`` compiled once (``model_update``): the rows ``task.save()`` and
    ``task.previous.add()`` write.
    """
    # What ``Task.save()`` adds to ``Model.save()``.
    if task.flow_task and not task.flow_task_type:
        task.flow_task_type = task.flow_task.task_type
    if task.pk is not None:
        model_update(task)
        return
    # What ``task.previous.add()`` writes (nothing listens to the link's signals), in the
    # same statement as the task on PostgreSQL.
    link = (
        None
        if previous is None
        else Link(type(task).previous.through, "from_task", "to_task", previous.pk)
    )
    model_insert(task, link=link)


class SelectForUpdateLock(lock.SelectForUpdateLock):
    """viewflow's ``SelectForUpdateLock`` (``select ... for update`` on the process row, in
    a transaction, ``attempts`` tries with viewflow's back-off, then ``FlowLockFailed``),
    its statement compiled once per process class (``directory.compiled``): the row's key
    read under the lock instead of ``exists()``, which built and compiled the same queryset
    on every action on a task."""

    def __init__(self, nowait: bool = True, attempts: int = 5) -> None:
        super().__init__(nowait=nowait, attempts=attempts)
        self.statements: dict[type, CompiledQuery] = {}

    def statement(self, flow_class) -> CompiledQuery:
        process_class = flow_class.process_class
        if process_class not in self.statements:

            def locked(process_pk: int):
                return (
                    process_class._default_manager.filter(pk=process_pk)
                    .select_for_update(nowait=self.nowait)
                    .order_by()  # as ``exists()`` leaves it
                    .values_list("pk")[:1]
                )

            self.statements[process_class] = CompiledQuery(locked, LOCK_SENTINEL)
        return self.statements[process_class]

    @contextmanager
    def __call__(self, flow_class, process_pk):
        statement = self.statement(flow_class)
        for attempt in range(self.attempts):
            with transaction.atomic():
                try:
                    statement.values(process_pk)
                except DatabaseError:
                    if attempt != self.attempts - 1:
                        time.sleep((((attempt + 1) * random.random()) + 2**attempt) / 2.5)  # noqa: S311
                    else:
                        raise FlowLockFailed(f"Lock failed for {flow_class}") from None
                else:
                    yield
                    break


select_for_update_lock = SelectForUpdateLock()


def finish_task(activation) -> None:
    """What ``Activation.complete`` does, the task's row written by ``task_write``."""
    assert transaction.get_connection().in_atomic_block
    activation.task.finished = now()
    task_write(activation.task)
    task_finished.send(
        sender=activation.flow_class, process=activation.process, task=activation.task
    )


class NewProcessStartActivation(StartHandleActivation):
    """viewflow's start, without saving again or locking the process its callback inserted."""

    @Activation.status.transition(source=STATUS.NEW)
    def execute(self) -> None:
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with transaction.atomic(savepoint=False):
            if self.process.pk is None:
                self.process.save()
            # Inserted in this transaction, the process is invisible to every other one: a
            # row lock would guard nothing. The scope still runs viewflow's release hooks.
            with lock.lock_scope(_created_in_this_transaction, self.flow_class, self.process.pk):
                self.complete()
                flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
                self.activate_next()

    @Activation.status.super()
    def complete(self) -> None:
        """viewflow's, the start's task row written by ``task_write``."""
        finish_task(self)


class NewProcessStartHandle(flow.StartHandle):
    """A start from code whose callback saves the new process."""

    activation_class = NewProcessStartActivation


class InsertedWhenDone:
    """Write an automatic step's task row once, when it is done (or scheduled), instead of
    inserting it new and updating it a moment later. Only while exceptions propagate: a
    failure then undoes the transaction, so no half-done task row needs to be kept."""

    previous_task = None

    # The task has no key until it is written: an activation is itself, nothing else.
    __hash__ = object.__hash__

    def __eq__(self, other) -> bool:
        return self is other

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        if not context.propagate_exception:
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation.previous_task = prev_activation.task
        return activation

    def write_task(self) -> None:
        """Save the task; the first time, also link it to the step it came from
        (``task_write``)."""
        task_write(self.task, previous=None if self.task.pk is not None else self.previous_task)


class IfWithoutSavepoint(InsertedWhenDone, IfActivation):
    @Activation.status.super()
    def activate(self) -> None:
        if not context.propagate_exception:
            super().activate.original()
            return
        with self.exception_guard():
            self._condition_result = self.flow_task._condition(self)

    @Activation.status.super()
    def complete(self) -> None:
        assert transaction.get_connection().in_atomic_block
        self.task.finished = now()
        self.write_task()
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class If(flow.If):
    """``flow.If`` whose condition runs in the caller's transaction, written once."""

    activation_class = IfWithoutSavepoint


_UNFINISHED: dict[type, CompiledQuery] = {}


def unfinished_task_count(activation) -> int:
    """How many tasks of the end's process are unfinished, the end's own aside (what viewflow's
    end counts), by a statement compiled once per task class: the keys of those tasks."""
    task_class = activation.flow_class.task_class
    if activation.task.pk is not None:  # the end's row was written before: viewflow's count
        return (
            task_class._default_manager.filter(process=activation.process, finished__isnull=True)
            .exclude(pk=activation.task.pk)
            .count()
        )
    if task_class not in _UNFINISHED:

        def unfinished(process_pk: int):
            return task_class._default_manager.filter(
                process_id=process_pk, finished__isnull=True
            ).values_list("pk")

        _UNFINISHED[task_class] = CompiledQuery(unfinished, LOCK_SENTINEL)
    return len(_UNFINISHED[task_class].values(activation.process.pk))


class EndWithoutSavepoint(InsertedWhenDone, EndActivation):
    @Activation.status.super()
    def activate(self) -> None:
        if not context.propagate_exception:
            super().activate.original()
            return
        with self.exception_guard():
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            active_tasks_count = unfinished_task_count(self)
            if active_tasks_count == 0:
                self.process.status = STATUS.DONE
                self.process.finished = now()
                model_update(self.process)  # ``process.save()``, compiled once
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
            if active_tasks_count == 0:
                flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)

    @Activation.status.super()
    def complete(self) -> None:
        assert transaction.get_connection().in_atomic_block
        self.task.finished = now()
        self.write_task()
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class End(flow.End):
    """``flow.End`` finishing the process in the caller's transaction, written once."""

    activation_class = EndWithoutSavepoint


class ViewWrittenOnce(ViewActivation):
    """viewflow's human task whose row is written by ``task_write``: inserted with its link to
    the step it came from, and saved when it is done."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """viewflow's ``ViewActivation.create``: the same task, permission and owner, its row
        and link written by ``task_write`` instead of ``save()`` and ``previous.add()``."""
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        task_write(task, previous=prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.super()
    def complete(self) -> None:
        """viewflow's, the task's row saved by ``task_write``."""
        finish_task(self)


class View(flow.View):
    """``flow.View`` whose task rows are written by statements compiled once."""

    activation_class = ViewWrittenOnce


class TimerBoundaryWithoutSavepoint(InsertedWhenDone, TimerBoundaryActivation):
    @Activation.status.transition(source=STATUS.NEW, target=STATUS.SCHEDULED)
    def activate(self) -> None:
        if not context.propagate_exception:
            super().activate.original()
            return
        with self.exception_guard():
            delay = self.flow_task._delay
            if callable(delay):
                delay = delay(self)
            if isinstance(delay, timedelta):
                delay = now() + delay
            if not isinstance(delay, datetime):
                raise ValueError(f"Timer delay must be a timedelta or datetime, got {delay!r}")
            self.task.scheduled = delay
            self.write_task()

    def cancel_host_tasks(self) -> None:
        """Cancel the still-active host tasks (as viewflow does), then hand the node's
        ``cancelled`` callback each task cancelled with the state it left."""
        cancelled = []
        for host_task in self.task.previous.exclude(status__in=HOST_ENDED):
            from_status = host_task.status
            activation = host_task.flow_task.activation_class(host_task)
            if activation.cancel.can_proceed():
                activation.cancel()
                cancelled.append((host_task, from_status))
            else:
                logger.warning(
                    "Boundary event %s could not cancel host task %s in state %s",
                    self.flow_task.name,
                    host_task.pk,
                    host_task.status,
                )
        if cancelled and self.flow_task._cancelled is not None:
            self.flow_task._cancelled(self, cancelled)


class TimerBoundary(ViewflowTimerBoundary):
    """``TimerBoundary`` armed in one write and disarmed in one statement.

    ``cancelled``: called as ``cancelled(activation, [(task, state it left), ...])`` when the
    interrupting timer fires and cancels its host's tasks (a ``this.`` reference works)."""

    activation_class = TimerBoundaryWithoutSavepoint

    def __init__(self, *args, cancelled=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cancelled = cancelled
        self._disarm: CompiledUpdateQuery | None = None

    def _resolve(self, instance) -> None:
        super()._resolve(instance)
        if self._cancelled is not None:
            self._cancelled = this.resolve(instance, self._cancelled)

    def _on_host_finished(self, **signal_kwargs) -> None:
        host_task = signal_kwargs["task"]
        if host_task.flow_task != self._attached_to:
            return
        # What ``cancel`` does to each armed timer (from new or scheduled), in one statement
        # compiled once per node and database.
        if self._disarm is None:
            self._disarm = CompiledUpdateQuery(self._disarm_update, *DISARM_SENTINELS)
        self._disarm.update(host_task.process_id, host_task.pk, now())

    def _disarm_update(self, process_id: int, host_task_id: int, finished: datetime):
        """The armed timers of the host task ``host_task_id``, and their cancelled values."""
        timers = self.flow_class.task_class._default_manager.filter(
            flow_task=self,
            process_id=process_id,
            previous=host_task_id,
            status__in=[STATUS.NEW, STATUS.SCHEDULED],
        )
        return timers, {"status": STATUS.CANCELED, "finished": finished}
