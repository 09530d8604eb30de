"""A query of fixed shape compiled to SQL once per process, then run with other values.

Building and compiling a queryset with correlated subqueries costs a few milliseconds of
Python every time; running the SQL it makes costs a tenth of that. A query run on every
lifecycle whose shape never changes (only the subject, the day) is compiled once here, by the
ORM as always, and later calls only bind their values: the statement sent to the database is
the one the ORM would send. Only SQL text is kept, never a row: nothing can go stale.

``CompiledValues(build, *sentinels)``: ``build(*arguments)`` returns a ``values_list()``
queryset. It is called once per database alias with the ``sentinels`` (values of the
arguments' types that no real call passes, each distinct from every constant the query binds),
and each parameter of the compiled SQL equal to a sentinel is filled, on every later call,
with that call's argument. The rows come back as tuples in the ``values_list()`` order, with
the database driver's types (fit for counts, sums and flags, not for fields whose values
Django converts on reading).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class CompiledValues:
    """A ``values_list()`` queryset compiled once per database alias (see the module)."""

    def __init__(self, build: Callable[..., QuerySet], *sentinels) -> None:
        self.build = build
        self.sentinels = sentinels
        self.compiled: dict[str, tuple[str, tuple]] = {}

    def _compile(self, using: str) -> tuple[str, tuple]:
        queryset = self.build(*self.sentinels)
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        slots, found = [], set()
        for param in params:
            position = next(
                (
                    n
                    for n, sentinel in enumerate(self.sentinels)
                    if type(param) is type(sentinel) and param == sentinel
                ),
                None,
            )
            found.add(position)
            slots.append((position, param))
        missing = set(range(len(self.sentinels))) - found
        if missing:  # an argument the SQL does not bind: the sentinel was transformed
            raise ValueError(f"sentinels {sorted(missing)} do not appear in the compiled SQL")
        return sql, tuple(slots)

    def rows(self, *arguments, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        """The query's rows for ``arguments`` (in the order of the sentinels)."""
        if using not in self.compiled:
            self.compiled[using] = self._compile(using)
        sql, slots = self.compiled[using]
        params = [param if n is None else arguments[n] for n, param in slots]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
