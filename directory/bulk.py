"""``bulk_create`` of a few new rows with its statement compiled once per process.

``Model.objects.bulk_create(objs)`` builds an ``InsertQuery``, quotes every column and
assembles the statement for each call, identical each time for the same model and number of
rows; inside it the option checks, the batch sizing and an atomic block cost as much again.
A lifecycle's signing writes its obligations, their history rows and the warning plan so
(ADR 0040 compiled the single-row inserts; this is the same for several rows).

``bulk_insert(model, objs)`` sends the ORM's own statement: the first call per (model,
database, fields, conflict rule, number of rows) asks the ORM to compile it from the values
prepared here (``pre_save``, then ``get_db_prep_save``, as ``SQLInsertCompiler`` prepares
them) and keeps its text only when its parameters are exactly those values, one per column
and row or, on PostgreSQL's ``UNNEST`` form, one array per column. Later calls bind the values
and convert the returned columns with the converters found once. Anything else (a key set, a
value that is an expression, parents, more rows than one batch, a backend that cannot return
rows) is ``bulk_create``'s.

``bulk_insert_with_history(model, objs, …)`` adds simple-history's rows of the new rows: on
PostgreSQL in the same statement (``WITH new AS (INSERT … RETURNING id) INSERT INTO <history>
…``), as ADR 0042 writes an update with its history row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import AutoField, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from directory.rows import insert_compiled, insert_compiled_sql, plain_value
from directory.updates import history_binds_plainly


@dataclass(frozen=True)
class _Bulk:
    sql: str
    by_column: bool  # PostgreSQL's UNNEST form: one array parameter per column
    returning_params: tuple
    converters: tuple  # (position, converters, column) of each returned value to convert


_BULKS: dict[tuple, _Bulk | None] = {}

# Statements are kept per number of rows: a few rows (a signing's obligations and warnings, a
# draft); a bulk issue's chunks of hundreds go through ``bulk_create``.
MAX_COMPILED_ROWS = 32


def _same(mine, theirs) -> bool:
    """Equal parameters, of the same type; a JSON value's wrapper compared by what it wraps."""
    if type(mine) is not type(theirs):
        return False
    if isinstance(mine, list | tuple):
        return len(mine) == len(theirs) and all(map(_same, mine, theirs))
    if hasattr(mine, "obj"):
        return mine.obj == theirs.obj
    return mine == theirs


def bulk_insert(model: type[Model], objs: Sequence[Model], *, ignore_conflicts: bool = False):
    """``model._default_manager.bulk_create(objs, ignore_conflicts=…)``, compiled once.

    The rows, the keys and returned columns set on ``objs`` and their ``_state`` are
    ``bulk_create``'s; no signal is sent, as none is there.
    """
    objs = list(objs)
    if not objs:
        return objs
    manager = model._default_manager
    meta = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    features = connection.features
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    if (
        meta.all_parents
        or meta.auto_field is None
        or meta.pk is not meta.auto_field
        or not features.can_return_rows_from_bulk_insert
        or (ignore_conflicts and not features.supports_ignore_conflicts)
        or len(objs) > MAX_COMPILED_ROWS
        or any(obj._is_pk_set() for obj in objs)
    ):
        return manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
    manager.db_manager(using).get_queryset()._prepare_for_bulk_create(objs)
    fields = tuple(
        f for f in meta.concrete_fields if not f.generated and not isinstance(f, AutoField)
    )
    returning = tuple(meta.db_returning_fields) if on_conflict is None else ()
    if connection.ops.bulk_batch_size(list(fields), objs) < len(objs):
        return manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
    with transaction.mark_for_rollback_on_error(using=using):
        if len(objs) == 1:
            rows = insert_compiled(
                objs[0],
                fields=fields,
                returning_fields=returning,
                using=using,
                on_conflict=on_conflict,
            )
        else:
            rows = _insert_rows(model, objs, fields, returning, using, on_conflict)
    for obj, row in zip(objs, rows, strict=False):
        for value, field in zip(row, meta.db_returning_fields, strict=False):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
    return objs


def bulk_insert_with_history(
    model: type[Model], objs: Sequence[Model], *, default_user, default_change_reason: str
) -> list[Model]:
    """``bulk_insert(model, objs)`` then ``model.history.bulk_history_create(objs, …)``: on
    PostgreSQL in one statement, once the rows' insert is compiled (ADR 0042 for updates).

    ``WITH new AS (<the rows' compiled insert> RETURNING id) INSERT INTO <history> …`` takes
    each history row's key from ``new`` (numbered in key order, the order the rows were
    inserted in) and its other values, one array per column as the ORM binds them, from the
    rows simple-history builds (``HistoryManager.history_rows``). The keys set on ``objs`` and
    their ``_state`` are ``bulk_insert``'s; the history rows are not returned, as
    ``bulk_history_create``'s are not kept by its callers. Anything else (another database,
    history off, a row the ORM inserts otherwise, a history row with a relation of its own):
    the two statements.
    """
    objs = list(objs)
    manager = getattr(model, "history", None)
    plan = _history_plan(model, objs, manager) if objs else None
    if plan is None:
        bulk_insert(model, objs)
        if objs:
            manager.bulk_history_create(
                objs, default_user=default_user, default_change_reason=default_change_reason
            )
        return objs
    sql, fields, prepared, using = plan
    rows = manager.history_rows(
        objs, default_user=default_user, default_change_reason=default_change_reason
    )
    combined = _with_history(model, sql, manager.model, rows, using)
    if combined is None:
        bulk_insert(model, objs)
        manager.bulk_history_create(
            objs, default_user=default_user, default_change_reason=default_change_reason
        )
        return objs
    sql, history_params = combined
    # One row: ``insert_compiled``'s statement, a parameter per field; more: the UNNEST form.
    params = (
        prepared[0] if len(objs) == 1 else [list(column) for column in zip(*prepared, strict=True)]
    )
    with (
        transaction.mark_for_rollback_on_error(using=using),
        connections[using].cursor() as cursor,
    ):
        cursor.execute(sql, (*params, *history_params))
        written = dict(cursor.fetchall())  # the row's key -> its history row's key
    history_pk = manager.model._meta.pk.attname
    for obj, key in zip(objs, sorted(written), strict=True):
        setattr(obj, model._meta.pk.attname, key)
        obj._state.adding, obj._state.db = False, using
    for row, obj in zip(rows, objs, strict=True):
        row.id = obj.pk
        setattr(row, history_pk, written[obj.pk])
        row._state.adding, row._state.db = False, using
    return objs


def _history_plan(model, objs: list, manager) -> tuple | None:
    """``(the rows' compiled insert, fields, prepared values, database)`` when the rows and
    their history rows can go in one statement; None otherwise."""
    meta = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    if (
        connection.vendor != "postgresql"
        or not hasattr(manager, "history_rows")
        or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        or hasattr(manager.model, "history_relation")
        or router.db_for_write(manager.model) != using
        or meta.all_parents
        or meta.auto_field is None
        or meta.pk is not meta.auto_field
        or tuple(meta.db_returning_fields) != (meta.pk,)
        or len(objs) > MAX_COMPILED_ROWS
        or any(obj._is_pk_set() for obj in objs)
    ):
        return None
    fields = tuple(
        f for f in meta.concrete_fields if not f.generated and not isinstance(f, AutoField)
    )
    # Not compiled yet (the first call compiles it), or not of the forms bound here.
    if len(objs) == 1:
        sql = insert_compiled_sql(model, fields=fields, returning_fields=(meta.pk,), using=using)
        if sql is None:
            return None
    else:
        bulk = _BULKS.get((model, using, fields, (meta.pk,), None, len(objs)))
        if bulk is None or not bulk.by_column or bulk.returning_params or bulk.converters:
            return None
        sql = bulk.sql
    model._default_manager.db_manager(using).get_queryset()._prepare_for_bulk_create(objs)
    values = [[field.pre_save(obj, True) for field in fields] for obj in objs]
    if not all(plain_value(value) for row in values for value in row):
        return None
    return sql, fields, _prepared(fields, values, connection), using


_WITH_HISTORY: dict[tuple, str] = {}


def _with_history(model, sql: str, history, rows: list, using: str) -> tuple | None:
    """The combined statement and the history rows' parameters, or None."""
    connection = connections[using]
    meta = history._meta
    key_field = meta.get_field(model._meta.pk.attname)
    fields = tuple(
        f
        for f in meta.local_concrete_fields
        if not f.generated and f is not meta.auto_field and f is not key_field
    )
    values = [[field.pre_save(row, True) for field in fields] for row in rows]
    if not history_binds_plainly(meta, fields, values):
        return None
    statement = (sql, history, using)
    if statement not in _WITH_HISTORY:
        _WITH_HISTORY[statement] = _history_statement(model, sql, history, fields, connection)
    prepared = _prepared(fields, values, connection)
    return _WITH_HISTORY[statement], [list(column) for column in zip(*prepared, strict=True)]


def _insert_rows(model, objs, fields, returning, using, on_conflict) -> list:
    """The rows inserted (their returned columns), by the statement compiled once."""
    connection = connections[using]
    values = [[field.pre_save(obj, True) for field in fields] for obj in objs]
    plain = all(plain_value(value) for row in values for value in row)
    key = (model, using, fields, returning, on_conflict, len(objs))
    plan = _BULKS.get(key) if plain else None
    if plan is None:
        # ``pre_save`` has run: the ORM reads the values as they are now (``raw``), so the
        # statement compiled here has the values sent below.
        query = InsertQuery(model, on_conflict=on_conflict)
        query.insert_values(list(fields), objs, raw=True)
        compiler = query.get_compiler(using=using)
        if not plain or key in _BULKS:
            return compiler.execute_sql(list(returning) or None)
        prepared = _prepared(fields, values, connection)
        compiler.returning_fields = list(returning) or None
        plan = _BULKS[key] = _compile(compiler, model, returning, prepared)
        if plan is None:
            return compiler.execute_sql(list(returning) or None)
    else:
        prepared = _prepared(fields, values, connection)
    params = (
        [list(column) for column in zip(*prepared, strict=True)]
        if plan.by_column
        else [value for row in prepared for value in row]
    )
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, (*params, *plan.returning_params))
        if not returning:
            return []
        rows = [list(row) for row in connection.ops.fetch_returned_insert_rows(cursor)]
    for row in rows:
        for position, functions, column in plan.converters:
            for function in functions:
                row[position] = function(row[position], column, connection)
    return [tuple(row) for row in rows]


def _prepared(fields: tuple, values: list, connection) -> list:
    """Each row's values as ``SQLInsertCompiler.prepare_value`` prepares them."""
    return [
        [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(fields, row, strict=True)
        ]
        for row in values
    ]


def _compile(compiler, model, returning: tuple, prepared: list) -> _Bulk | None:
    """The ORM's statement for these rows, kept if its parameters are ``prepared``."""
    statements = compiler.as_sql()
    if len(statements) != 1:
        return None
    sql, params = statements[0]
    returning_params = tuple(getattr(compiler, "returning_params", ()) or ())
    params = list(params)
    if returning_params:
        if not _same(tuple(params[-len(returning_params) :]), returning_params):
            return None
        params = params[: -len(returning_params)]
    if _same(params, [value for row in prepared for value in row]):
        by_column = False
    elif _same(params, [list(column) for column in zip(*prepared, strict=True)]):
        by_column = True
    else:
        return None
    columns = [field.get_col(model._meta.db_table) for field in returning]
    converters = tuple(
        (position, tuple(functions), column)
        for position, (functions, column) in compiler.get_converters(columns).items()
    )
    return _Bulk(sql, by_column, returning_params, converters)


def _history_statement(model, sql: str, history, fields: tuple, connection) -> str:
    """``WITH new AS (<sql>) INSERT INTO <history> …``: each history row's key from ``new``
    (numbered in key order), its other values from one array per field."""
    quote = connection.ops.quote_name
    meta = history._meta
    key_column = quote(meta.get_field(model._meta.pk.attname).column)
    names = [quote(f"v{n}") for n in range(len(fields))]
    # The casts the ORM's UNNEST form writes (its SQLInsertCompiler on PostgreSQL).
    arrays = ", ".join(f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    new, numbered, given, n = quote("new"), quote("numbered"), quote("given"), quote("n")
    pk = quote(model._meta.pk.column)
    return (
        f"WITH {new} AS ({sql}), {numbered} AS (SELECT {pk}, "  # noqa: S608 (names quoted, values bound)
        f"row_number() OVER (ORDER BY {pk}) AS {n} FROM {new}) "
        f"INSERT INTO {quote(meta.db_table)} ({key_column}, "
        f"{', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {numbered}.{pk}, {', '.join(f'{given}.{name}' for name in names)} "
        f"FROM {numbered} JOIN UNNEST({arrays}) WITH ORDINALITY AS {given} "
        f"({', '.join(names)}, {n}) ON {given}.{n} = {numbered}.{n} "
        f"RETURNING {key_column}, {quote(meta.pk.column)}"
    )
