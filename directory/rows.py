"""Writing a row in one statement where Django would take several.

``insert_unless_exists`` is ``get_or_create`` for rows that are almost always new (a signed
document's bytes, a notification's key): one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
instead of a read, a savepoint, the insert and the savepoint's release. PostgreSQL and
SQLite (3.35 and later) both speak it.

``insert_compiled`` is the ORM's insert of one row with its statement built once per process
(as ``directory.compiled`` does for reads, ADR 0038): the same text, the values prepared as
the ORM prepares them. ``model_insert`` and ``save_new`` are ``Model.save()`` of a new row on
top of it (signals and all); simple-history's rows and the flows' task rows are written so.

The statement asks whether the value exists (``NOT EXISTS``) as well as leaning on the unique
index (``ON CONFLICT DO NOTHING``): on PostgreSQL a table partitioned by month keeps such a
key unique only within each partition (``directory.partitions.schema``), and the question
covers every partition, the unique index the concurrent writer of the same month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Field, Model
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery


def insert_unless_exists(obj: Model, *, conflict: str) -> bool:
    """Insert ``obj`` unless a row with the same ``conflict`` value exists (one statement).

    Returns True with ``obj.pk`` set when it was inserted; False when the row was there
    already (then ``obj`` is left unsaved: read the existing row if it is needed). A
    concurrent insert of the same value waits for the other transaction and then does
    nothing, as ``get_or_create`` would.
    """
    model = type(obj)
    meta = model._meta
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    # Only the model's own table and column names, quoted, go into the text; values are bound.
    table, column = quote(meta.db_table), quote(meta.get_field(conflict).column)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT {', '.join(['%s'] * len(fields))} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = %s) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    key = values[fields.index(meta.get_field(conflict))]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, key])
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, using
    return True


# Inserts compiled once -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Insert:
    sql: str
    returning_params: tuple
    converters: tuple  # (position, converters, column) of each returned value to convert


_INSERTS: dict[tuple, _Insert | None] = {}


def plain_value(value) -> bool:
    """A value the ORM binds as one ``%s`` parameter (not an expression it compiles)."""
    return not hasattr(value, "resolve_expression") and not hasattr(value, "as_sql")


def _compile_insert(compiler, model, fields: tuple, returning_fields: tuple) -> _Insert | None:
    """The statement the ORM wrote for one row, kept if each field is one plain ``%s``."""
    connection = compiler.connection
    if (
        any(getattr(field, "get_placeholder", None) is not None for field in fields)
        or type(connection.ops).modify_insert_params
        is not BaseDatabaseOperations.modify_insert_params
        or (returning_fields and not connection.features.can_return_columns_from_insert)
    ):
        return None
    statements = compiler.as_sql()
    returning_params = tuple(getattr(compiler, "returning_params", ()) or ())
    if len(statements) != 1 or len(statements[0][1]) != len(fields) + len(returning_params):
        return None
    columns = [field.get_col(model._meta.db_table) for field in returning_fields]
    converters = tuple(
        (position, tuple(functions), column)
        for position, (functions, column) in compiler.get_converters(columns).items()
    )
    return _Insert(statements[0][0], returning_params, converters)


def insert_compiled(
    obj: Model,
    *,
    fields: Sequence[Field],
    returning_fields: Sequence[Field] = (),
    using: str,
    on_conflict: OnConflict | None = None,
    link: Link | None = None,
) -> list:
    """``Manager._insert([obj], fields, returning_fields, using, on_conflict=…)`` with its
    statement built once per model, database, fields, returned fields and conflict rule.

    The first call builds and runs the statement through the ORM; later calls send the same
    text with each field's value prepared as the ORM prepares it (``pre_save``, then
    ``get_db_prep_save``), and return the returned columns converted as the ORM converts
    them. A value that is an expression, a field with a placeholder of its own, or a backend
    that writes the row otherwise goes through the ORM on every call.

    With ``link`` the new row is also linked (``Link``): on PostgreSQL in the same statement
    (``WITH new AS (INSERT … RETURNING pk) INSERT INTO link … SELECT … FROM new``), elsewhere
    or on the ORM's way by ``link_insert`` just after.
    """
    model = obj._meta.concrete_model
    fields, returning_fields = tuple(fields), tuple(returning_fields)
    key = (model, using, fields, returning_fields, on_conflict)
    connection = connections[using]
    values = [field.pre_save(obj, True) for field in fields]
    is_plain = all(plain_value(value) for value in values)
    plan = _INSERTS.get(key) if is_plain else None
    if plan is None:
        query = InsertQuery(model, on_conflict=on_conflict)
        query.insert_values(list(fields), [obj])
        compiler = query.get_compiler(using=using)
        if is_plain and key not in _INSERTS:
            compiler.returning_fields = list(returning_fields) or None
            _INSERTS[key] = _compile_insert(compiler, model, fields, returning_fields)
        rows = compiler.execute_sql(list(returning_fields) or None)
        if link is not None:
            link_insert(link, source_pk=_new_pk(obj, returning_fields, rows), using=using)
        return rows
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, values, strict=True)
    ]
    sql, extra = plan.sql, ()
    linked = link is not None and _linked_statement(plan, model, returning_fields, link, using)
    if linked:
        sql, extra = linked, (link.target_pk,)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *plan.returning_params, *extra))
        if not returning_fields:
            row = None
        else:
            row = list(connection.ops.fetch_returned_insert_columns(cursor, plan.returning_params))
    if row is None:
        return []
    for position, functions, column in plan.converters:
        for function in functions:
            row[position] = function(row[position], column, connection)
    if link is not None and not linked:
        link_insert(link, source_pk=_new_pk(obj, returning_fields, [row]), using=using)
    return [tuple(row)]


def insert_compiled_sql(
    model: type[Model], *, fields: Sequence[Field], returning_fields: Sequence[Field], using: str
) -> str | None:
    """The statement ``insert_compiled`` keeps for one row of ``model`` (one plain ``%s`` per
    field, in order), once a first call compiled it; None before, or when it keeps none."""
    plan = _INSERTS.get((model, using, tuple(fields), tuple(returning_fields), None))
    if plan is None or plan.returning_params or plan.converters:
        return None
    return plan.sql


def _new_pk(obj: Model, returning_fields: tuple, rows: list):
    """The new row's key: returned by the insert, or set on ``obj`` before it."""
    pk = obj._meta.pk
    if rows and pk in returning_fields:
        return rows[0][returning_fields.index(pk)]
    return obj.pk


@dataclass(frozen=True)
class Link:
    """A row of a link table to write with a new row: ``model(source=<the new row's key>,
    target=target_pk)``, left alone when it exists (``ON CONFLICT DO NOTHING``), as
    ``bulk_create([…], ignore_conflicts=True)`` writes it."""

    model: type[Model]
    source: str
    target: str
    target_pk: object


_LINKED: dict[tuple, str | None] = {}


def _linked_statement(plan: _Insert, model, returning_fields: tuple, link: Link, using: str):
    """The row's compiled insert and its link in one statement (PostgreSQL), or None."""
    key = (plan.sql, link.model, link.source, link.target, using)
    if key not in _LINKED:
        connection = connections[using]
        meta = link.model._meta
        quote = connection.ops.quote_name
        source, target = meta.get_field(link.source), meta.get_field(link.target)
        _LINKED[key] = (
            None
            if connection.vendor != "postgresql"
            or returning_fields != (model._meta.pk,)
            or plan.returning_params
            or plan.converters
            else (
                f"WITH {quote('new')} AS ({plan.sql}), {quote('link')} AS ("  # noqa: S608
                f"INSERT INTO {quote(meta.db_table)} ({quote(source.column)}, "
                f"{quote(target.column)}) SELECT {quote('new')}.{quote(model._meta.pk.column)}, "
                f"%s FROM {quote('new')} ON CONFLICT DO NOTHING) "
                f"SELECT {quote(model._meta.pk.column)} FROM {quote('new')}"
            )
        )
    return _LINKED[key]


def link_insert(link: Link, *, source_pk, using: str) -> None:
    """Write ``link``'s row for the new row ``source_pk`` on its own (``insert_compiled``)."""
    meta = link.model._meta
    row = link.model(
        **{
            meta.get_field(link.source).attname: source_pk,
            meta.get_field(link.target).attname: link.target_pk,
        }
    )
    fields = [f for f in meta.concrete_fields if not f.generated and f is not meta.auto_field]
    with transaction.mark_for_rollback_on_error(using=using):
        insert_compiled(row, fields=fields, using=using, on_conflict=OnConflict.IGNORE)
    row._state.adding, row._state.db = False, using


def model_insert(
    obj: Model, *, using: str | None = None, link: Link | None = None, force_insert: bool = False
) -> None:
    """Insert a new ``obj`` as ``Model.save()`` does, its statement compiled once.

    What ``save()`` does for a new row of a model without parents, step by step: the related
    objects' keys taken, ``pre_save`` sent, the row inserted (``insert_compiled``) inside
    ``mark_for_rollback_on_error``, the returned columns set, ``_state`` updated, ``post_save``
    sent. Whatever a model's own ``save()`` adds, the caller has done. A row that is not
    plainly new (a key set, a key with a default, deferred fields, parents, an order with
    respect to another model) is saved by ``save_base()`` as usual. ``link``: the row of a
    link table written with it (``insert_compiled``). ``force_insert``: a row whose key is
    given is inserted with it, as ``save(force_insert=True)`` (``objects.create()``) does.
    """
    origin = type(obj)
    meta = origin._meta.concrete_model._meta
    keyed = force_insert and obj._is_pk_set(meta)
    if (
        not obj._state.adding
        or meta.parents
        or meta.order_with_respect_to
        or not (keyed or (meta.auto_field is not None and meta.pk is meta.auto_field))
        or (obj._is_pk_set(meta) and not keyed)
        or any(f.attname not in obj.__dict__ for f in meta.concrete_fields if not f.generated)
    ):
        Model.save(obj, using=using, force_insert=force_insert)
        if link is not None:
            link_insert(link, source_pk=obj.pk, using=obj._state.db)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    using = using or router.db_for_write(origin, instance=obj)
    if not meta.auto_created:
        pre_save.send(sender=origin, instance=obj, raw=False, using=using, update_fields=None)
    fields = [
        f
        for f in meta.local_concrete_fields
        if not f.generated and (keyed or f is not meta.auto_field)
    ]
    returning_fields = meta.db_returning_fields
    with transaction.mark_for_rollback_on_error(using=using):
        results = insert_compiled(
            obj, fields=fields, returning_fields=returning_fields, using=using, link=link
        )
    if results:
        for value, field in zip(results[0], returning_fields, strict=False):
            setattr(obj, field.attname, value)
    obj._state.db = using
    obj._state.adding = False
    if not meta.auto_created:
        post_save.send(
            sender=origin, instance=obj, created=True, update_fields=None, raw=False, using=using
        )


def save_new(obj: Model, *, using: str | None = None) -> None:
    """``obj.save(using=using)`` for a new row, through ``model_insert`` when the model's
    ``save()`` is Django's own (an override may add what ``model_insert`` would skip)."""
    if type(obj).save is not Model.save:
        obj.save(using=using)
        return
    model_insert(obj, using=using)
