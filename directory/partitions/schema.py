"""PostgreSQL: turn an append-only table into one partitioned by time and managed by
pg_partman, and back. Called by the migrations that partition a table; on any other database
(the embedded SQLite default) every function here does nothing.

A partitioned table's primary key must include its partition key, so the table's key in the
database becomes ``(id, <time column>)``; Django keeps ``id`` as the model's primary key.
``id`` still comes from one identity sequence, so it stays unique in practice, but no
constraint says so any more: that is why only tables that no foreign key points at are
partitioned (``table_partition`` refuses the others).

A unique key without the time column (an outbox message's or a notification's idempotency
key) cannot be a partitioned table's constraint. Asked to (``per_partition_unique``), the
rebuild keeps each such unique index in every partition instead: on pg_partman's template
table, which gives it to each partition made later (the default partition included), and on
the partitions made now. A key written again in a later month than its first write is not
refused by the database then; the writers ask first (``directory.rows.insert_unless_exists``).
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The schema the migrations install pg_partman into when it is not installed yet.
PARTMAN_SCHEMA = "partman"
# Every partitioned table keeps this many partitions ready ahead of today unless the
# maintenance job is told otherwise (settings.PARTITION_PREMAKE).
DEFAULT_PREMAKE = 4


class PartitioningError(RuntimeError):
    """The database cannot partition the table as asked (the migration stops, says why)."""


def partman_schema(cursor) -> str | None:
    """The schema pg_partman is installed in, or None when it is not installed."""
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_partman'"
    )
    row = cursor.fetchone()
    return row[0] if row else None


def partman_install(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the pg_partman extension (in schema ``partman``) unless it is there already.

    Creating it takes a superuser (or the database owner with the extension trusted); an
    operator whose migrations run without one creates it beforehand (docs/deployment.md).
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partman_schema(cursor) is not None:
            return
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_partman'")
        if cursor.fetchone() is None:
            raise PartitioningError(
                "The PostgreSQL server has no pg_partman extension. Install it on the database"
                " server (Debian: apt-get install postgresql-<major>-partman), then migrate"
                " again (docs/deployment.md, 'Partitioned tables')."
            )
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTMAN_SCHEMA}")
        cursor.execute(f"CREATE EXTENSION pg_partman SCHEMA {PARTMAN_SCHEMA}")


def parent_name(cursor, table: str) -> str:
    """The table as pg_partman names it: schema-qualified."""
    cursor.execute("SELECT current_schema()")
    return f"{cursor.fetchone()[0]}.{table}"


def table_partition(
    schema_editor: BaseDatabaseSchemaEditor,
    *,
    table: str,
    column: str,
    key: str = "id",
    interval: str = "1 month",
    premake: int = DEFAULT_PREMAKE,
    per_partition_unique: bool = False,
) -> None:
    """Rebuild ``table`` as a table partitioned by range of ``column``, managed by pg_partman.

    ``key`` is the table's identity column (``id``; ``history_id`` for a history table): the
    primary key becomes ``(key, column)``. A unique index without ``column`` is refused unless
    ``per_partition_unique``: then it is kept in each partition (the module's docstring).

    Keeps its columns, defaults, identity, checks, indexes (rebuilt as partitioned indexes)
    and foreign keys, creates the partitions from ``premake`` intervals back to ``premake``
    ahead and a default partition, and moves every existing row into its partition.
    """
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Rows written earlier in this transaction must not leave deferred foreign key checks
        # pending on the table: PostgreSQL refuses to alter a table that has them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema = partman_schema(cursor)
        if schema is None:
            raise PartitioningError("pg_partman is not installed (run the migrations in order).")
        parent = parent_name(cursor, table)
        pointing_here = _foreign_keys_into(cursor, table)
        if pointing_here:
            raise PartitioningError(
                f"{table} cannot be partitioned: foreign keys point at it ({pointing_here})."
            )
        old, foreign_keys, uniques = _rebuild_as(
            cursor,
            table,
            quote,
            f"PARTITION BY RANGE ({quote(column)})",
            [key, column],
            per_partition_unique=per_partition_unique,
        )
        cursor.execute(
            f"SELECT {schema}.create_parent(p_parent_table := %s, p_control := %s,"
            " p_type := 'native', p_interval := %s, p_premake := %s)",
            [parent, column, interval, premake],
        )
        _unique_in_each_partition(cursor, schema, parent, table, uniques)
        cursor.execute(
            f"UPDATE {schema}.part_config SET infinite_time_partitions = true,"  # noqa: S608
            " retention_keep_table = false, retention_keep_index = false"
            " WHERE parent_table = %s",
            [parent],
        )
        _copy_rows(cursor, quote, old, table)
        default_empty(cursor, schema, parent)
        _finish(cursor, quote, old, table, key, foreign_keys)


def table_unpartition(
    schema_editor: BaseDatabaseSchemaEditor, *, table: str, key: str = "id"
) -> None:
    """Undo ``table_partition``: one plain table again with every row, its key back to ``key``,
    pg_partman's configuration and template for it removed."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema = partman_schema(cursor)
        parent = parent_name(cursor, table)
        if schema is not None:
            cursor.execute(
                f"SELECT template_table FROM {schema}.part_config"  # noqa: S608 (extension's)
                " WHERE parent_table = %s",
                [parent],
            )
            template = cursor.fetchone()
            uniques = _template_uniques(cursor, template[0]) if template and template[0] else []
            cursor.execute(
                f"DELETE FROM {schema}.part_config WHERE parent_table = %s",  # noqa: S608
                [parent],
            )
            if template and template[0]:
                cursor.execute(f"DROP TABLE IF EXISTS {template[0]}")
        else:
            uniques = []
        old, foreign_keys, _ = _rebuild_as(
            cursor, table, quote, "", [key], per_partition_unique=True
        )
        _copy_rows(cursor, quote, old, table)
        _finish(cursor, quote, old, table, key, foreign_keys)
        for name, using, partial in uniques:  # unique across the table again, same names
            cursor.execute(f"CREATE UNIQUE INDEX {quote(name)} ON {quote(table)} {using}")
            if not partial:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)}"
                    f" UNIQUE USING INDEX {quote(name)}"
                )


def partitioned_by_month(
    *,
    tables: tuple[str, ...],
    column: str,
    retention: dict,
    key: str = "id",
    per_partition_unique: bool = False,
) -> migrations.RunPython:
    """The migration operation that records each table's retention period (on every database:
    the admin shows it) and partitions the table by month of ``column`` (PostgreSQL only);
    reversed, it removes the periods and makes the tables plain again."""

    def partition(apps, schema_editor):
        periods = apps.get_model("directory", "RetentionPeriod").objects
        for table in tables:
            periods.update_or_create(table=table, defaults=retention)
            table_partition(
                schema_editor,
                table=table,
                column=column,
                key=key,
                per_partition_unique=per_partition_unique,
            )

    def unpartition(apps, schema_editor):
        periods = apps.get_model("directory", "RetentionPeriod").objects
        for table in tables:
            periods.filter(table=table).delete()
            table_unpartition(schema_editor, table=table, key=key)

    return migrations.RunPython(partition, unpartition, elidable=False)


def default_empty(cursor, schema: str, parent: str) -> int:
    """Move every row of ``parent``'s default partition into partitions made for their months;
    returns how many moved.

    pg_partman stages the rows in a temporary table shaped like ``parent`` that lives until
    the transaction ends; it is dropped here, or moving the rows of the next table in the same
    transaction (a migration partitioning several) would fail on its columns.
    """
    cursor.execute(
        f"SELECT {schema}.partition_data_time(%s, p_batch_count := 1000000, p_analyze := false)",
        [parent],
    )
    moved = cursor.fetchone()[0] or 0
    cursor.execute("DROP TABLE IF EXISTS pg_temp.partman_temp_data_storage")
    return moved


def _foreign_keys_into(cursor, table: str) -> str:
    cursor.execute(
        "SELECT string_agg(conname || ' on ' || conrelid::regclass::text, ', ')"
        " FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass"
        " AND conrelid <> confrelid AND conparentid = 0",
        [table],
    )
    return cursor.fetchone()[0] or ""


def _rebuild_as(
    cursor,
    table: str,
    quote,
    partition_clause: str,
    key: list[str],
    *,
    per_partition_unique: bool = False,
) -> tuple[str, list[tuple[str, str]], list[tuple[str, str, bool]]]:
    """Rename ``table`` aside, free its index and constraint names, and create the new
    ``table`` with the same columns and checks (partitioned when a clause is given), its
    primary key and indexes. Returns the name the old table was renamed to, its foreign keys,
    which ``_finish`` adds back once the rows are copied, and the unique indexes left for each
    partition to hold (name, ``USING …`` clause, partial)."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisunique"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass ORDER BY c.relname",
        [table],
    )
    found = cursor.fetchall()
    unique = [name for name, _, primary, is_unique in found if is_unique and not primary]
    if unique and partition_clause and not per_partition_unique:
        raise PartitioningError(f"{table} has unique indexes without its time column: {unique}")
    indexes = [row for row in found if row[0] not in unique]
    uniques = [
        (name, _using(definition), " WHERE " in definition)
        for name, definition, _primary, _unique in found
        if name in unique
    ]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'f', 'u')"
        " ORDER BY contype = 'u' DESC, contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    old = f"{table[:58]}_prev"
    cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
    for name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {quote(old)} DROP CONSTRAINT {quote(name)}")
    for name, _definition, primary, _unique in found:
        if not primary:
            cursor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    cursor.execute(
        f"CREATE TABLE {quote(table)} (LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING IDENTITY"
        f" INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) {partition_clause}"
    )
    primary_name = next((name for name, d in constraints if d.startswith("PRIMARY KEY")), None)
    primary_name = primary_name or f"{table[:58]}_pkey"
    cursor.execute(
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(primary_name)}"
        f" PRIMARY KEY ({', '.join(quote(c) for c in key)})"
    )
    for _name, definition, primary, _unique in indexes:
        if not primary:
            cursor.execute(definition)
    return old, [(n, d) for n, d in constraints if d.startswith("FOREIGN KEY")], uniques


def _using(definition: str) -> str:
    """The ``USING …`` clause of an index definition (its columns and condition)."""
    return definition[definition.index(" USING ") + 1 :]


def _unique_in_each_partition(
    cursor, schema: str, parent: str, table: str, uniques: list[tuple[str, str, bool]]
) -> None:
    """Give pg_partman's template table ``uniques`` under their own names (partitions made
    later inherit them) and every partition made already one of each."""
    if not uniques:
        return
    cursor.execute(
        f"SELECT template_table FROM {schema}.part_config WHERE parent_table = %s",  # noqa: S608
        [parent],
    )
    (template,) = cursor.fetchone()
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [table],
    )
    partitions = [name for (name,) in cursor.fetchall()]
    for name, using, _partial in uniques:
        cursor.execute(f'CREATE UNIQUE INDEX "{name}" ON {template} {using}')
        for partition in partitions:
            cursor.execute(f'CREATE UNIQUE INDEX ON "{partition}" {using}')


def _template_uniques(cursor, template: str) -> list[tuple[str, str, bool]]:
    """The unique indexes kept per partition, as ``_unique_in_each_partition`` gave them to
    the template (name, ``USING …`` clause, partial); its primary key is not one of them."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = to_regclass(%s) AND i.indisunique AND NOT i.indisprimary"
        " ORDER BY c.relname",
        [template],
    )
    return [(name, _using(d), " WHERE " in d) for name, d in cursor.fetchall()]


def _copy_rows(cursor, quote, old: str, table: str) -> None:
    cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(old)}")  # noqa: S608


def _finish(
    cursor, quote, old: str, table: str, key: str, foreign_keys: list[tuple[str, str]]
) -> None:
    """Carry the identity sequence on, drop the old table, add the foreign keys back."""
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, %s),"  # noqa: S608 (quoted names)
        f" COALESCE((SELECT MAX({quote(key)}) FROM {quote(old)}), 0) + 1, false)",
        [table, key],
    )
    cursor.execute(f"DROP TABLE {quote(old)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, key])
    sequence = cursor.fetchone()[0]
    wanted = f"{table[: 59 - len(key)]}_{key}_seq"
    if sequence and sequence.split(".")[-1].strip('"') != wanted:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {quote(wanted)}")
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
