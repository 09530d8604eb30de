"""A query of fixed shape compiled to SQL once per process, then run with other values.

Building and compiling a queryset costs Python work on every call: a fraction of a
millisecond for a plain read, several for a join of many tables or correlated subqueries,
often more than running the SQL it makes. A query run on every lifecycle whose shape never
changes (only the subject, the department, the moment) is compiled once here, by the ORM as
always, and later calls only bind their values: the statement sent to the database is the one
the ORM would send, and the rows are read as the ORM reads them (its converters, its model
instances and their ``select_related`` relations). Only SQL text is kept, never a row:
nothing can go stale.

``CompiledQuery(build, *sentinels)``: ``build(*arguments)`` returns a queryset. It is called
once per database alias and active language with the ``sentinels`` (values of the arguments'
types that no real call passes, each distinct from every constant the query binds), and each
parameter of the compiled SQL equal to a sentinel is filled, on every later call, with that
call's argument.
An argument the SQL would not bind as given (a naive datetime, a list whose length shapes the
SQL) cannot be one: when a sentinel is not found among the parameters, nothing is kept and
every call builds and runs the queryset through the ORM as usual.

- ``values(*arguments)``: the rows of a ``values_list()`` queryset, as tuples in its order;
- ``models(*arguments)``: the model instances of a plain queryset (``select_related`` and
  ``select_for_update`` allowed).

A queryset the ORM reads in another way (a prefetch, modeltranslation's values with their
language fallbacks, viewflow's coerced tasks) is not compiled: it is built on every call.

Both go to the database the ORM would choose (the router's, as ``QuerySet.db`` asks it), or
to ``using``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql import UpdateQuery
from django.db.transaction import TransactionManagementError
from django.utils.translation import get_language


def _slots(params, sentinels: tuple) -> tuple | None:
    """Per parameter: (index of the sentinel it is, or None for a constant, the parameter);
    None when a sentinel is not among the parameters as given."""
    slots, found = [], set()
    for param in params:
        position = next(
            (
                n
                for n, sentinel in enumerate(sentinels)
                if type(param) is type(sentinel) and param == sentinel
            ),
            None,
        )
        found.add(position)
        slots.append((position, param))
    if not set(range(len(sentinels))) <= found:
        return None
    return tuple(slots)


@dataclass(frozen=True)
class _Compiled:
    compiler: object  # the SQL compiler that compiled it: its columns and converters
    sql: str
    slots: tuple  # per parameter: (index of the argument, or None for a constant, constant)
    locks: bool  # SELECT … FOR UPDATE
    converters: tuple  # (position, the ORM's converters, column) of each column it converts


class CompiledQuery:
    """A queryset compiled once per database alias (see the module)."""

    def __init__(self, build: Callable[..., QuerySet], *sentinels) -> None:
        self.build = build
        self.sentinels = sentinels
        self.compiled: dict[tuple[str, str | None], _Compiled | None] = {}
        self.routing: tuple[type[Model], bool] | None = None  # the model, and whether it locks

    def _database(self) -> str:
        """The alias the ORM would send the queryset to (``QuerySet.db``): the router's."""
        if self.routing is None:
            queryset = self.build(*self.sentinels)
            self.routing = (queryset.model, queryset._for_write)
        model, for_write = self.routing
        return router.db_for_write(model) if for_write else router.db_for_read(model)

    def _compile(self, using: str) -> _Compiled | None:
        queryset = self.build(*self.sentinels)
        iterable = queryset._iterable_class
        if (
            queryset._prefetch_related_lookups
            or queryset._known_related_objects
            or getattr(queryset, "_coerced", False)  # viewflow's tasks of their flow's class
            or not (iterable is ValuesListIterable or issubclass(iterable, ModelIterable))
        ):
            # Rows the ORM reads otherwise (modeltranslation's values with their fallbacks, a
            # prefetch): the queryset is built on every call, as always.
            return None
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = _slots(params, self.sentinels)
        if slots is None:
            # An argument this database's SQL does not bind as given (SQLite binds dates as
            # text): the queryset is built and compiled on every call there, as always.
            return None
        # The columns' converters, as ``results_iter`` asks for them on every call.
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(columns):
            return None
        converters = tuple(
            (position, tuple(functions), column)
            for position, (functions, column) in compiler.get_converters(columns).items()
        )
        return _Compiled(compiler, sql, slots, bool(queryset.query.select_for_update), converters)

    def _rows(self, arguments: tuple, using: str | None) -> tuple[_Compiled | None, list, str]:
        using = using or self._database()
        # modeltranslation writes a translated field's lookups as the active language's
        # column when the queryset is built: the SQL is kept per language too.
        key = (using, get_language())
        if key not in self.compiled:
            self.compiled[key] = self._compile(using)
        compiled = self.compiled[key]
        if compiled is None:
            return None, list(self.build(*arguments).using(using)), using
        connection = connections[using]
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [param if n is None else arguments[n] for n, param in compiled.slots]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        compiler = compiled.compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        if compiled.converters:
            # What ``results_iter`` does, with the converters found when it was compiled.
            converted = []
            for row in rows:
                values = list(row)
                for position, functions, column in compiled.converters:
                    value = values[position]
                    for function in functions:
                        value = function(value, column, connection)
                    values[position] = value
                converted.append(tuple(values))
            rows = converted
        else:
            rows = [tuple(row) for row in rows]
        return compiled, rows, using

    def values(self, *arguments, using: str | None = None) -> list[tuple]:
        """The rows of the ``values_list()`` queryset for ``arguments``, as tuples."""
        return self._rows(arguments, using)[1]

    def models(self, *arguments, using: str | None = None) -> list[Model]:
        """The model instances for ``arguments``, as the ORM's ``ModelIterable`` makes them."""
        compiled, rows, using = self._rows(arguments, using)
        if compiled is None:
            return rows
        compiler = compiled.compiler
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        objects = []
        for row in rows:
            obj = klass_info["model"].from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (compiler.annotation_col_map or {}).items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


class CompiledUpdateQuery:
    """``queryset.update(**values)`` compiled once per database alias.

    ``build(*arguments)`` returns ``(queryset, values)``; it is called once per alias with the
    ``sentinels``, as ``CompiledQuery`` does, and the statement ``QuerySet.update`` would send
    is kept with its parameters. ``update(*arguments)`` sends it with each call's arguments
    and returns the rows updated, as ``QuerySet.update`` does. When a sentinel is not found
    among the parameters (SQLite binds datetimes as text), or the update is not a plain one
    (related updates, ordering), every call goes through ``QuerySet.update``.
    """

    def __init__(self, build: Callable[..., tuple[QuerySet, dict]], *sentinels) -> None:
        self.build = build
        self.sentinels = sentinels
        self.compiled: dict[str, tuple[str, tuple] | None] = {}
        self.model: type[Model] | None = None

    def _compile(self, using: str) -> tuple[str, tuple] | None:
        queryset, values = self.build(*self.sentinels)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        if query.related_updates or query.order_by or query.annotations:
            return None
        query.clear_select_clause()
        sql, params = query.get_compiler(using).as_sql()
        slots = _slots(params, self.sentinels)
        return None if slots is None else (sql, slots)

    def update(self, *arguments, using: str | None = None) -> int:
        if self.model is None:
            self.model = self.build(*self.sentinels)[0].model
        using = using or router.db_for_write(self.model)
        if using not in self.compiled:
            self.compiled[using] = self._compile(using)
        compiled = self.compiled[using]
        if compiled is None:
            queryset, values = self.build(*arguments)
            return queryset.using(using).update(**values)
        sql, slots = compiled
        params = [param if n is None else arguments[n] for n, param in slots]
        with (
            transaction.mark_for_rollback_on_error(using=using),
            connections[using].cursor() as cursor,
        ):
            cursor.execute(sql, params)
            return cursor.rowcount


def prefetched(instance: Model, related_name: str, rows: list[Model]) -> None:
    """Leave on ``instance`` what ``prefetch_related_objects([instance], related_name)`` leaves
    for a reverse foreign key, with ``rows`` read otherwise (by a ``CompiledQuery``): each row's
    relation to ``instance`` set, and the related manager's ``all()`` answered from memory."""
    manager = getattr(instance, related_name)
    field = manager.field
    for row in rows:
        if not field.is_cached(row):
            setattr(row, field.name, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    queryset = manager.get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset
