"""The maintenance of the time-partitioned tables, run by the scheduler
(``directory.partitions.tasks``) and by ``manage.py partitions_maintain``.

For each table pg_partman manages, in its own transaction:

1. its retention period (``RetentionPeriod``, data an administrator keeps) and how many
   partitions to keep ready ahead (``settings.PARTITION_PREMAKE``) are written into
   pg_partman's configuration;
2. rows that fell into the default partition (their month had no partition yet) are moved
   into partitions of their own, made for them;
3. pg_partman's ``run_maintenance`` makes the partitions ahead and detaches and drops every
   partition whose whole range is older than the retention period (a table without a period
   keeps all).

Step 2 comes first because PostgreSQL refuses to attach a partition for a range the default
partition holds rows of. Each partition made or dropped and each move is a ``PartitionEvent``.
On any database other than PostgreSQL there are no partitions and this does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from directory.partitions.models import PartitionEvent, RetentionPeriod
from directory.partitions.schema import default_empty, parent_name, partman_schema
from directory.partitions.selectors import managed_tables, partitions_of

logger = logging.getLogger(__name__)


@dataclass
class TableUpkeep:
    """What one maintenance run did to one table."""

    table: str
    retention_months: int | None
    moved: int = 0
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def partitions_maintain(*, premake: int | None = None) -> list[TableUpkeep]:
    """Maintain every partitioned table (see the module's docstring); returns what was done."""
    if connection.vendor != "postgresql":
        return []
    ahead = settings.PARTITION_PREMAKE if premake is None else premake
    periods = dict(RetentionPeriod.objects.values_list("table", "months"))
    return [
        table_maintain(table=table, retention_months=periods.get(table), premake=ahead)
        for table in managed_tables()
    ]


@transaction.atomic
def table_maintain(*, table: str, retention_months: int | None, premake: int) -> TableUpkeep:
    """Maintain one partitioned table: configure, empty the default, premake, retain.

    Months between partitions are not filled in: a row for such a month waits in the default
    partition until this moves it (a single row dated far ahead must not make a partition for
    every month up to it).
    """
    upkeep = TableUpkeep(table=table, retention_months=retention_months)
    before = {partition.name for partition in partitions_of(table)}
    with connection.cursor() as cursor:
        # Foreign keys are checked as each row moves: a partition that received rows in this
        # transaction could not be detached while their deferred checks were pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema = partman_schema(cursor)
        parent = parent_name(cursor, table)
        cursor.execute(
            f"UPDATE {schema}.part_config SET premake = %s, retention = %s,"  # noqa: S608
            " retention_keep_table = false, retention_keep_index = false,"
            " infinite_time_partitions = true WHERE parent_table = %s",
            [premake, f"{retention_months} months" if retention_months else None, parent],
        )
        upkeep.moved = default_empty(cursor, schema, parent)
        # A partition made for moved rows may be past retention already: counted both ways.
        moved_into = {partition.name for partition in partitions_of(table)}
        cursor.execute(
            f"SELECT {schema}.run_maintenance(%s, p_analyze := false, p_jobmon := false)",
            [parent],
        )
    after = {partition.name for partition in partitions_of(table)}
    upkeep.created = sorted((moved_into | after) - before)
    upkeep.dropped = sorted((before | moved_into) - after)
    events = [
        *(
            PartitionEvent(table=table, partition=name, action=PartitionEvent.Action.CREATED)
            for name in upkeep.created
        ),
        *(
            PartitionEvent(
                table=table,
                partition=name,
                action=PartitionEvent.Action.DROPPED,
                retention_months=retention_months,
            )
            for name in upkeep.dropped
        ),
    ]
    if upkeep.moved:
        events.append(
            PartitionEvent(table=table, action=PartitionEvent.Action.MOVED, rows=upkeep.moved)
        )
    PartitionEvent.objects.bulk_create(events)
    if upkeep.dropped:
        logger.info(
            "%s: partitions past %s months dropped: %s",
            table,
            retention_months,
            ", ".join(upkeep.dropped),
        )
    return upkeep
