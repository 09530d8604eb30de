"""Plan the warnings pending obligations are missing after their template got a ladder."""

from django.core.management.base import BaseCommand

from commitments.obligations.services.ladder import warning_schedule_backfill


class Command(BaseCommand):
    help = (
        "Plan the warning-ladder rows that pending obligations are missing (for instance "
        "after migration 0007 gave their template the default ladder). Safe to run again."
    )

    def handle(self, *args, **options):
        written = warning_schedule_backfill()
        self.stdout.write(f"{written} scheduled warning(s) planned.")
