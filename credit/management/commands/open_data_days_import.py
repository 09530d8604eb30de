"""Put the open data day files that earlier versions built in a local folder into the
document store, so that every host serves them (ADR 0030). Idempotent: run it on each host
that built day files, once the release is deployed; run it again and nothing changes."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from credit.opendata.services.days import open_data_days_import


class Command(BaseCommand):
    help = (
        "Import the daily open data CSV files (events-<day>.csv and .sig) of a local folder "
        "into the document store; --remove deletes the local files the store now covers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="folder",
            default=settings.OPEN_DATA_ROOT,
            help="The folder the files were built in (OPEN_DATA_ROOT unless given).",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Delete each local file that was imported, was already in the store, or "
            "names someone withheld since (the next build writes that day again).",
        )

    def handle(self, *args, folder, remove, **options):
        root = Path(folder)
        if not root.is_dir():
            self.stdout.write(f"No folder {root}: nothing to import.")
            return
        report = open_data_days_import(folder=root)
        for day in report.imported:
            self.stdout.write(f"{day} imported")
        for day in report.present:
            self.stdout.write(f"{day} already in the store")
        for day in report.stale:
            self.stdout.write(f"{day} left out: names someone withheld since; rebuilt next run")
        for day, reason in sorted(report.refused.items()):
            self.stderr.write(f"{day} refused: {reason}")
        if remove:
            for day in [*report.imported, *report.present, *report.stale]:
                for suffix in ("", ".sig"):
                    (root / f"events-{day.isoformat()}.csv{suffix}").unlink(missing_ok=True)
        self.stdout.write(
            f"{len(report.imported)} imported, {len(report.present)} already in the store, "
            f"{len(report.stale)} left out, {len(report.refused)} refused."
        )
