"""Writing a row in one statement where Django would take several.

``insert_unless_exists`` is ``get_or_create`` for rows that are almost always new (a signed
document's bytes, a notification's key): one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
instead of a read, a savepoint, the insert and the savepoint's release. PostgreSQL and
SQLite (3.35 and later) both speak it.

The statement asks whether the value exists (``NOT EXISTS``) as well as leaning on the unique
index (``ON CONFLICT DO NOTHING``): on PostgreSQL a table partitioned by month keeps such a
key unique only within each partition (``directory.partitions.schema``), and the question
covers every partition, the unique index the concurrent writer of the same month.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Model


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
