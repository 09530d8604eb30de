"""``manage.py partitions_maintain``: run the partitioned tables' maintenance now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from directory.partitions.services import partitions_maintain


class Command(BaseCommand):
    """What the scheduler runs every PARTITION_MAINTENANCE_INTERVAL seconds, at once: for an
    operator after changing a retention period, or before a bulk load far into the future."""

    help = "Make partitions ahead, empty default partitions, drop partitions past retention."

    def handle(self, *args: Any, **options: Any) -> None:
        done = partitions_maintain()
        if not done:
            self.stdout.write("No partitioned tables (not PostgreSQL, or none managed).")
        for upkeep in done:
            kept = f"{upkeep.retention_months} months" if upkeep.retention_months else "forever"
            self.stdout.write(
                f"{upkeep.table}: kept {kept}; {len(upkeep.created)} partitions created,"
                f" {len(upkeep.dropped)} dropped, {upkeep.moved} rows moved out of the default"
            )
