"""Index open verification tasks that have no queue row (after an upgrade) and drop stale rows."""

from django.core.management.base import BaseCommand
from django.db import transaction

from workflows.verification.services.upkeep import index_prune, index_rebuild


class Command(BaseCommand):
    help = "Rebuild the regulator queue index from viewflow's open tasks."

    def handle(self, *args, **options):
        with transaction.atomic():
            pruned = index_prune()
            created = index_rebuild()
        self.stdout.write(f"queue index: {created} rows added, {pruned} stale rows removed")
