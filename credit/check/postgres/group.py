"""Group commit in one process: a check that arrives while another thread's batch is with
PostgreSQL waits, and the next batch takes every check waiting by then
(``credit.check.postgres.batch`` runs the batches)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credit.check.postgres.batch import CheckBody, Question

BATCH_LIMIT = 64  # checks per statement; a gthread worker has far fewer threads


@dataclass(eq=False, slots=True)
class _Waiting:
    question: Question
    done: threading.Event = field(default_factory=threading.Event)
    leads: bool = False
    answer: CheckBody | None = None
    error: BaseException | None = None


class GroupCommit:
    """Group commit for checks in one process (leader and followers).

    A check that finds no batch in flight leads: it takes every check waiting (itself
    first) to PostgreSQL with ``run`` on its own connection. Checks arriving meanwhile wait;
    when the batch is committed the leader hands the lead to the first of them and wakes the
    ones it answered. An error answers every check of its batch with that error.
    """

    def __init__(self, run, limit: int = BATCH_LIMIT):
        self._run = run
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._in_flight = False

    def answer(self, question: Question) -> CheckBody:
        me = _Waiting(question)
        with self._lock:
            self._waiting.append(me)
            leads = not self._in_flight
            self._in_flight = True
        if not leads:
            me.done.wait()
            if not me.leads:
                return self._result(me)
        return self._lead(me)

    def _lead(self, me: _Waiting) -> CheckBody:
        with self._lock:
            batch = self._waiting[: self._limit]
            del self._waiting[: self._limit]
        try:
            answers = self._run([waiting.question for waiting in batch])
            for waiting, answer in zip(batch, answers, strict=True):
                waiting.answer = answer
        except BaseException as error:  # noqa: BLE001 (each waiting check gets it)
            for waiting in batch:
                waiting.error = error
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting[0].leads = True
                    self._waiting[0].done.set()
                else:
                    self._in_flight = False
            for waiting in batch:
                if waiting is not me:
                    waiting.done.set()
        return self._result(me)

    @staticmethod
    def _result(me: _Waiting) -> CheckBody:
        if me.error is not None:
            raise me.error
        return me.answer
