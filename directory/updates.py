"""Updating a row with its ``UPDATE`` compiled once.

``update_compiled`` is ``Model._do_update``'s statement (``base_qs.filter(pk=…)._update(…)``)
built once per model, database and columns (ADR 0040), as ``directory.rows`` does for
inserts; on PostgreSQL a row's history goes in the same statement (``UPDATE_HISTORY``, ADR
0042). ``CompiledUpdate`` is a model base whose ``save()`` of an existing row sends it.

``model_update`` is ``Model.save()`` of a row read from the database on top of it: ``save()``
of an existing row builds an ``UpdateQuery`` of every column, compiles it and sends it,
identical each time for the same model and columns; ``model_update`` sends the compiled
statement with the signals and state changes ``save()`` makes around it. The flows' task and
process rows are saved so (``workflows.nodes``), as ``model_insert`` inserts them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connections, router, transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import UpdateQuery
from django.db.models.sql.where import AND

from directory.rows import plain_value

_UPDATES: dict[tuple, str | None] = {}


def _plain_where(query) -> tuple[tuple, list] | None:
    """The columns and values of a WHERE made only of ``column = value`` joined by AND."""
    where = query.where
    if where.connector != AND or where.negated or len(query.alias_map) > 1:
        return None
    columns, values = [], []
    for child in where.children:
        if (
            type(child) is not Exact
            or not isinstance(child.lhs, Col)
            or not plain_value(child.rhs)
            or child.rhs is None
        ):
            return None
        columns.append(child.lhs.target)
        values.append(child.rhs)
    return tuple(columns), values


def update_compiled(
    base_qs: QuerySet, *, pk_val, values: Sequence[tuple], using: str, instance=None
) -> int | None:
    """``base_qs.filter(pk=pk_val)._update(values)`` (``Model._do_update``'s statement) with its
    text built once per model, database, columns set, columns set to NULL and filter.

    ``base_qs`` is the model's base manager on ``using``, filtered by plain equalities (or not
    at all): django-fsm's filter on the state the row was loaded in. Returns the rows
    updated, or None when the update is not of that plain kind (an expression, a model
    instance, a field with its own placeholder, another filter): the caller then updates as
    the ORM does.

    ``instance``: the row being saved; when its history row can be written with the update
    (``UPDATE_HISTORY``, PostgreSQL), both go in one statement.
    """
    where = _plain_where(base_qs.query)
    if where is None:
        return None
    connection = connections[using]
    params, nulls = [], []
    for field, _model, value in values:
        if not plain_value(value) or hasattr(value, "prepare_database_save"):
            return None
        prepared = field.get_db_prep_save(value, connection=connection)
        if not plain_value(prepared) or hasattr(field, "get_placeholder"):
            return None
        nulls.append(prepared is None)
        if prepared is not None:
            params.append(prepared)
    meta = base_qs.model._meta
    columns, filter_values = where
    key = (
        base_qs.model,
        using,
        tuple(field for field, _model, _value in values),
        tuple(nulls),
        columns,
    )
    pk_prepared = meta.pk.get_prep_value(pk_val)
    params += [*filter_values, pk_prepared]
    if key not in _UPDATES:
        _UPDATES[key] = _compile_update(base_qs, pk_val=pk_val, values=values, params=params)
    sql = _UPDATES[key]
    if sql is None:
        return None
    combined = None if instance is None else _with_history(sql, params, instance, using)
    if combined is not None:
        return _update_with_history(*combined, instance=instance, using=using)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# A model's history row written with its update ----------------------------------------------

# Model -> ``build(instance, using)``: the history row its ``post_save`` would write for this
# update, unsaved, or None when it must be written as usual (``directory.history``).
UPDATE_HISTORY: dict[type[Model], Callable] = {}
# The attribute on the instance that hands the history row written to ``post_save``.
HISTORY_WRITTEN = "_history_written_with_update"

_WITH_HISTORY: dict[tuple, str] = {}


def _with_history(sql: str, params: list, instance: Model, using: str):
    """``(statement, parameters, history row)``: the update and the history row in one
    ``WITH … UPDATE … RETURNING`` whose insert writes the row only when the update matched;
    None when the history row is written on its own."""
    build = UPDATE_HISTORY.get(type(instance))
    connection = connections[using]
    if build is None or connection.vendor != "postgresql":
        return None
    history = build(instance, using)
    if history is None:
        return None
    meta = history._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    values = [field.pre_save(history, True) for field in fields]
    if not history_binds_plainly(meta, fields, [values]):
        return None
    key = (sql, type(history), using)
    if key not in _WITH_HISTORY:
        quote = connection.ops.quote_name
        _WITH_HISTORY[key] = (
            f"WITH {quote('updated')} AS ({sql} "  # noqa: S608 (names quoted, values bound)
            f"RETURNING {quote(instance._meta.pk.column)}) "
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {', '.join(['%s'] * len(fields))} FROM {quote('updated')} "
            f"RETURNING {quote(meta.pk.column)}"
        )
    prepared = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, values, strict=True)
    ]
    return _WITH_HISTORY[key], [*params, *prepared], history


def history_binds_plainly(meta, fields: Sequence[Field], rows: list[list]) -> bool:
    """Whether history rows (``rows``: their values of ``fields``) can be written by a
    statement built here: a key of their own, each value one plain parameter."""
    return (
        meta.pk is meta.auto_field
        and all(plain_value(value) for row in rows for value in row)
        and not any(getattr(field, "get_placeholder", None) is not None for field in fields)
    )


def _update_with_history(sql: str, params: list, history: Model, *, instance, using) -> int:
    """Send the combined statement; the history row, written, is handed to ``post_save``."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # the update matched nothing: no history row either
        return 0
    history.pk = row[0]
    history._state.adding, history._state.db = False, using
    instance.__dict__[HISTORY_WRITTEN] = history
    return 1


def _compile_update(base_qs: QuerySet, *, pk_val, values: Sequence[tuple], params: list):
    """The ORM's statement, kept when its parameters are the ones ``update_compiled`` binds."""
    query = base_qs.filter(pk=pk_val).query.chain(UpdateQuery)
    query.add_update_fields(values)
    query.annotations = {}
    if query.related_updates:
        return None
    sql, orm_params = query.get_compiler(base_qs.db).as_sql()
    if len(orm_params) != len(params) or any(
        type(mine) is not type(theirs) or mine != theirs
        for mine, theirs in zip(params, orm_params, strict=True)
        if not hasattr(mine, "obj")  # a JSON value's wrapper, compared by what it wraps
    ):
        return None
    if any(
        type(mine) is not type(theirs) or mine.obj != theirs.obj
        for mine, theirs in zip(params, orm_params, strict=True)
        if hasattr(mine, "obj")
    ):
        return None
    return sql


class CompiledUpdate(Model):
    """A model whose ``save()`` of an existing row sends an ``UPDATE`` compiled once
    (``update_compiled``), when the update is a plain one; otherwise the ORM's. On PostgreSQL
    its history row goes in the same statement (``UPDATE_HISTORY``)."""

    class Meta:
        abstract = True

    def _save_table(self, raw=False, *args, **kwargs):
        self.__dict__["_saving_raw"] = raw  # a raw save (fixtures) writes no history
        try:
            return super()._save_table(raw, *args, **kwargs)
        finally:
            self.__dict__.pop("_saving_raw", None)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        self.__dict__.pop(HISTORY_WRITTEN, None)
        if values and not (self._meta.select_on_save and not forced_update):
            instance = None if self.__dict__.get("_saving_raw", True) else self
            updated = update_compiled(
                base_qs, pk_val=pk_val, values=values, using=using, instance=instance
            )
            if updated is not None:
                return updated > 0
        return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)


def model_update(obj: Model, *, using: str | None = None) -> None:
    """Save ``obj``, a row read from the database (or inserted), as ``Model.save()`` does.

    What ``save()`` does for an existing row of a model without parents, step by step: the
    related objects' keys taken, ``pre_save`` sent, every column updated inside
    ``mark_for_rollback_on_error`` by the statement compiled once (the ORM's ``_do_update``
    when the update is not a plain one; an insert when no row matched, as ``save()`` would),
    ``_state`` updated, ``post_save`` sent. Whatever a model's own ``save()`` adds, the caller
    has done. A row that is not plainly an existing one (new, deferred fields, parents,
    ``select_on_save``, a ``_do_update`` of the model's own) is saved by ``Model.save()``.
    """
    origin = type(obj)
    meta = origin._meta.concrete_model._meta
    if (
        obj._state.adding
        or meta.parents
        or meta.select_on_save
        or not obj._is_pk_set(meta)
        or origin._do_update is not Model._do_update
        or any(f.attname not in obj.__dict__ for f in meta.concrete_fields if not f.generated)
    ):
        Model.save(obj, using=using)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    using = using or router.db_for_write(origin, instance=obj)
    if not meta.auto_created:
        pre_save.send(sender=origin, instance=obj, raw=False, using=using, update_fields=None)
    values = [
        (field, None, field.pre_save(obj, False))
        for field in meta.local_concrete_fields
        if field not in meta.pk_fields and not field.generated
    ]
    base_qs = meta.concrete_model._base_manager.using(using)
    pk_val = obj._get_pk_val(meta)
    with transaction.mark_for_rollback_on_error(using=using):
        updated = update_compiled(base_qs, pk_val=pk_val, values=values, using=using)
        if updated is None:
            updated = obj._do_update(base_qs, using, pk_val, values, None, False)
        updated = bool(updated)
        if not updated:  # the row is gone: ``save()`` inserts it again, key and all
            _insert_again(obj, meta, using)
    obj._state.db = using
    obj._state.adding = False
    if not meta.auto_created:
        post_save.send(
            sender=origin,
            instance=obj,
            created=not updated,
            update_fields=None,
            raw=False,
            using=using,
        )


def _insert_again(obj: Model, meta, using: str) -> None:
    """What ``save()`` does when its update matched no row: insert it with its key."""
    fields = [f for f in meta.local_concrete_fields if not f.generated]
    returning_fields = meta.db_returning_fields
    results = obj._do_insert(
        meta.concrete_model._base_manager, using, fields, returning_fields, False
    )
    for value, field in zip(results[0] if results else (), returning_fields, strict=False):
        setattr(obj, field.attname, value)
