"""Rows read once per database transaction or per operation (ADR 0036).

A service that computes many deadlines, or reads the same kind, rule set or calendar row for
every step of a lifecycle, asks for it through ``transaction_memo``: inside a transaction the
first call loads it and later calls in the same transaction get the same value; outside a
transaction (autocommit) every call loads afresh, as before.

The memo lives exactly as long as the transaction that filled it: it is dropped when the
transaction commits or rolls back, and when a savepoint rolled back since it was filled
(whatever was read inside the savepoint may have been written there too). A write of a
memoised model in this process forgets its entries at once (``memo_forget``, connected to
``post_save``/``post_delete`` by the apps that memoise). Another process's write becomes
visible to this transaction's memo no later than its next transaction, the same as a
``REPEATABLE READ`` transaction would see it.

``memo_scope`` / ``scoped_memo`` are narrower: a service opens a scope around one operation
(a regulator's action on a task) so that the checks it repeats (the task's department, the
actor's seat in it) are read once within that operation and never beyond it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")


class _Memo:
    """The values of one transaction; ``hook`` marks it in the transaction's commit hooks."""

    def __init__(self) -> None:
        self.values: dict[Hashable, Any] = {}
        self.is_over = False

        def hook() -> None:
            self.values.clear()
            self.is_over = True

        self.hook = hook

    def is_current(self, connection) -> bool:
        """True while the transaction that filled it runs and no savepoint of it rolled back.

        Django drops a transaction's commit hooks when it ends and a savepoint's hooks when
        the savepoint rolls back, so the hook still being there is exactly that.
        """
        return not self.is_over and any(entry[1] is self.hook for entry in connection.run_on_commit)


def _memo(connection) -> _Memo | None:
    if not connection.in_atomic_block or connection.needs_rollback:
        return None
    memo = getattr(connection, "chengnuo_memo", None)
    if memo is None or not memo.is_current(connection):
        memo = _Memo()
        connection.on_commit(memo.hook)
        connection.chengnuo_memo = memo
    return memo


def transaction_memo(key: Hashable, load: Callable[[], T], *, using: str = DEFAULT_DB_ALIAS) -> T:
    """Return ``load()``, loaded once per transaction for ``key`` (every time in autocommit)."""
    memo = _memo(connections[using])
    if memo is None:
        return load()
    if key not in memo.values:
        memo.values[key] = load()
    return memo.values[key]


def memo_forget(*prefixes: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Forget the memoised values (of the transaction and of the operation's scope) whose key
    is, or whose tuple key starts with, one of ``prefixes``."""
    memo = getattr(connections[using], "chengnuo_memo", None)
    for values in (memo.values if memo is not None else None, _scope.get()):
        if not values:
            continue
        for key in list(values):
            head = key[0] if isinstance(key, tuple) else key
            if head in prefixes:
                del values[key]


# One operation's memo -------------------------------------------------------------------------

_scope: ContextVar[dict | None] = ContextVar("chengnuo_memo_scope", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Let ``scoped_memo`` keep values until the block ends (one service call, one request).

    A scope inside a scope is the outer one. Whatever is read inside the scope is read once;
    a write in this process of a memoised model forgets its entries (``memo_forget``).
    """
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def scoped_memo(key: Hashable, load: Callable[[], T]) -> T:
    """Return ``load()``, loaded once per ``memo_scope`` for ``key`` (every time outside one)."""
    values = _scope.get()
    if values is None:
        return load()
    if key not in values:
        values[key] = load()
    return values[key]


def scoped_memo_set(key: Hashable, value: Any) -> None:
    """Record ``value`` for ``key`` in the operation's scope: the caller has just read (or
    written) the row it describes under a lock. Nothing happens outside a scope."""
    values = _scope.get()
    if values is not None:
        values[key] = value
