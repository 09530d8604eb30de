"""Reads of the partitioned tables' state in PostgreSQL's catalogue and pg_partman's
configuration. On any other database there are no partitions: every read answers empty."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from directory.partitions.schema import parent_name, partman_schema


@dataclass(frozen=True)
class Partition:
    """One partition of a table: its name and its range (None for the default partition)."""

    name: str
    bounds: str
    is_default: bool


def partitions_of(table: str) -> list[Partition]:
    """The partitions of ``table`` in name order (empty when it is not partitioned)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)"
            " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [table],
        )
        return [
            Partition(name=name, bounds=bounds, is_default=bounds == "DEFAULT")
            for name, bounds in cursor.fetchall()
        ]


def managed_tables() -> list[str]:
    """The tables pg_partman maintains in this database's current schema, by name."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        schema = partman_schema(cursor)
        if schema is None:
            return []
        prefix = parent_name(cursor, "")
        cursor.execute(
            f"SELECT parent_table FROM {schema}.part_config"  # noqa: S608 (the extension's schema)
            " WHERE starts_with(parent_table, %s) ORDER BY parent_table",
            [prefix],
        )
        return [parent[len(prefix) :] for (parent,) in cursor.fetchall()]


def default_rows(table: str) -> int:
    """The rows waiting in ``table``'s default partition (their month had no partition)."""
    default = next((p.name for p in partitions_of(table) if p.is_default), None)
    if default is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(default)}")  # noqa: S608
        return cursor.fetchone()[0]
