"""The scheduler's job for the time-partitioned tables (one beat entry, idempotent)."""

from __future__ import annotations

from celery import shared_task

from directory.partitions.services import partitions_maintain


@shared_task(name="directory.partitions.tasks.partitions_maintain_task")
def partitions_maintain_task() -> dict[str, dict[str, int]]:
    """Make partitions ahead, empty the default partitions, drop partitions past retention.

    Run again at once it finds nothing to do; two runs never overlap in PostgreSQL (pg_partman
    takes an advisory lock, and each table is maintained in one transaction).
    """
    return {
        upkeep.table: {
            "created": len(upkeep.created),
            "dropped": len(upkeep.dropped),
            "moved": upkeep.moved,
        }
        for upkeep in partitions_maintain()
    }
