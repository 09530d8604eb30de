"""Give every breach recorded before repair notices existed its notice (两书同达)."""

from django.core.management.base import BaseCommand

from credit.record.services.notices import repair_notices_backfill


class Command(BaseCommand):
    help = "Issue the credit repair notice of every breach that has none."

    def handle(self, *args, **options):
        written = repair_notices_backfill()
        self.stdout.write(f"{written} repair notice(s) issued.")
