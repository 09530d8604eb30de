"""``Model.save()`` of a row read from the database, with its ``UPDATE`` compiled once.

``save()`` of an existing row builds an ``UpdateQuery`` of every column, compiles it and
sends it, identical each time for the same model and columns. ``model_update`` sends the
statement ``update_compiled`` (``directory.rows``, ADR 0040) keeps per model, database and
columns, with the signals and state changes ``save()`` makes around it; the flows' task and
process rows are saved so (``workflows.nodes``), as ``model_insert`` inserts them.
"""

from __future__ import annotations

from django.db import router, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

from directory.rows import update_compiled


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
