"""The open data feed's daily CSV files (ADR 0030): built once per finished day, signed by
the seal, kept in the document store so that every web host serves the same file, and
discarded for a rebuild when a withholding stops naming a subject in them.

A day's file is an object named by its SHA-256 under the day (``open-data/<day>/<sha>.csv``,
``signing.storage``): a rebuild is a new object, never an overwrite. ``OpenDataDay`` points
at the day's current ``OpenDataDayFile`` (digest, size, signature, when built, how far the
log was read, which file it replaced). Discarding moves the pointer off (the endpoint stops
serving it at once) and then deletes the superseded object: it may name a natural person
the feed no longer names, and the feed's promise is that nothing withheld stays
downloadable, nor stored beside the withholding (the database keeps the digest and the
signature, which name no one).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from credit.opendata import selectors
from credit.opendata.models import OpenDataDay, OpenDataDayFile, OpenDataEvent
from credit.opendata.services.signatures import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    open_data_sign_digest,
    open_data_verifies,
)
from signing.errors import StorageUnavailable
from signing.register.merkle import leaf_hash, salted_digest
from signing.storage import storage_backend

logger = logging.getLogger(__name__)

CSV_COLUMNS = [
    "leaf_index",
    "kind",
    "time",
    "effective_on",
    "subject_kind",
    "subject_name",
    "subject_code",
    "subject_salt",
    "record",
    "list_entry",
    "reference",
    "withheld_by",
    "checkpoint_tree_size",
    "leaf_hash",
    "salt",
    "event_json",
]
# Rows read from the database at a time, and written to the file between two flushes of the
# text buffer: memory stays flat whatever the day's number of events.
CSV_ROWS_PER_WRITE = 500


def open_data_leaf_hash(event: OpenDataEvent) -> str:
    """The event's leaf in the transparency log, hex, recomputed from what is served."""
    return leaf_hash(salted_digest(salt=bytes.fromhex(event.salt), event=event.event)).hex()


def open_data_csv_row(event: OpenDataEvent) -> list:
    """One event as a row of the CSV (``CSV_COLUMNS``)."""
    return [
        event.leaf_index,
        event.kind,
        event.event["time"],
        event.effective_on.isoformat(),
        event.event["subject"]["kind"],
        event.subject_name,
        event.subject_code,
        event.subject_salt,
        event.record_id or "",
        event.list_entry_id or "",
        event.reference,
        event.withheld_by.leaf_index if event.withheld_by_id else "",
        event.checkpoint.tree_size,
        open_data_leaf_hash(event),
        event.salt,
        json.dumps(event.event, ensure_ascii=False, sort_keys=True),
    ]


def open_data_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the next, in the platform's time zone."""
    midnight = datetime.min.time()
    start = timezone.make_aware(datetime.combine(day, midnight))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), midnight))


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def open_data_day_build(*, day: date) -> bool:
    """Build the CSV of the events the log recorded on ``day``, sign it and store it, once;
    return whether this call built it (False: the day has a current file).

    The rows stream from the database into an anonymous temporary file in
    ``CSV_ROWS_PER_WRITE`` batches, hashed as written, so memory does not grow with the
    day's events; the file streams on into the document store under its digest, and the
    seal signs the SHA-256 (the same signature as over the bytes). The day's row is locked
    meanwhile, so builds and discards of a day wait for each other on any host; the object
    is stored before the row that points at it commits (a build that fails before its commit
    deletes the object it wrote, the day still locked)."""
    OpenDataDay.objects.get_or_create(day=day)
    with transaction.atomic():
        day_row = OpenDataDay.objects.select_for_update().get(day=day)
        if day_row.current_id is not None:
            return False
        stored: list[str] = []  # the key of an object this call wrote
        try:
            built = _day_file_write(day_row, stored)
            built.full_clean()
            built.save()
            day_row.current = built
            day_row.save(update_fields=["current"])
        except BaseException:
            # while the day is still locked: another build cannot have taken the object up
            for key in stored:
                storage_backend().delete(key)
            raise
    return True


def _day_file_write(day_row: OpenDataDay, stored: list[str]) -> OpenDataDayFile:
    """Write the day's CSV into the store and sign it; the file row, not saved yet."""
    # read before the rows: a withholding committed later has a larger leaf index (the log's
    # head is locked until commit), so the reconciliation sees it came after
    through = selectors.open_data_last_leaf()
    start, end = open_data_day_bounds(day_row.day)
    events = selectors.open_data_events(recorded_from=start, recorded_before=end)
    with tempfile.TemporaryFile() as handle:
        digest = _csv_stream(events, handle)
        built = OpenDataDayFile(
            day=day_row,
            sha256=digest.hex(),
            size=handle.tell(),
            built_through=through,
            built_at=timezone.now(),
            replaces=day_row.files.order_by("-built_at", "-pk").first(),
        )
        handle.seek(0)
        if storage_backend().put_stream(
            built.key, handle, sha256=built.sha256, content_type=CSV_CONTENT_TYPE
        ):
            stored.append(built.key)
    signed = open_data_sign_digest(digest)
    built.signature = signed.signature
    built.certificate_sha256 = signed.certificate_sha256
    return built


def _csv_stream(events, handle) -> bytes:
    """Write the CSV of ``events`` (a byte order mark, CRLF) to ``handle``; its SHA-256."""
    digest = hashlib.sha256()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def drain() -> None:
        data = buffer.getvalue().encode("utf-8")
        handle.write(data)
        digest.update(data)
        buffer.seek(0)
        buffer.truncate()

    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for count, event in enumerate(events.iterator(chunk_size=CSV_ROWS_PER_WRITE), start=1):
        writer.writerow(open_data_csv_row(event))
        if count % CSV_ROWS_PER_WRITE == 0:
            drain()
    drain()
    return digest.digest()


def open_data_days_build(*, now: datetime | None = None) -> int:
    """Build every finished day's CSV that has no current file, from the log's first event
    to the last day over by ``OPEN_DATA_DAY_GRACE_MINUTES`` (a transaction open at midnight
    has committed by then); return how many files were built. Safe to run any number of
    times, on any host: it catches up after days without a run and never rebuilds a day
    with a current file, except one a withholding made stale (``open_data_days_reconcile``,
    first)."""
    now = now or timezone.now()
    open_data_days_reconcile()
    first = OpenDataEvent.objects.aggregate(first=Min("created_at"))["first"]
    if first is None:
        return 0
    grace = timedelta(minutes=settings.OPEN_DATA_DAY_GRACE_MINUTES)
    day = timezone.localdate(first)
    last = timezone.localdate(now - grace) - timedelta(days=1)
    built = selectors.open_data_built_days(first=day, last=last)
    written = 0
    while day <= last:
        if day not in built:
            written += open_data_day_build(day=day)
        day += timedelta(days=1)
    return written


def open_data_days_reconcile() -> set[date]:
    """Discard every day whose current file may still name a subject withheld since: a day
    with a withheld event whose withholding's leaf index is above the log position the file
    was read through (or a file that does not say it), then delete every discarded object
    still stored. Return the days discarded.

    The withholding discards its days itself once it commits, but a process that dies
    between the commit and the discard, a store that did not answer, or a build that read
    the day just before the withholding committed, leaves a file naming the subject; the
    hourly job calls this first, so the build writes such a day again. Idempotent: a
    rebuilt day reads through the withholding and is left alone."""
    withholdings = selectors.open_data_day_withholdings()
    current = selectors.open_data_current_files(days=set(withholdings))
    stale = {
        day
        for day, last_withholding in withholdings.items()
        if day in current
        and (current[day].built_through is None or current[day].built_through < last_withholding)
    }
    open_data_days_discard(days=stale)
    open_data_days_purge()
    return stale


def open_data_days_discard(*, days: set[date]) -> None:
    """Stop serving the current files of ``days`` (the days read as not built), then delete
    their objects from the store, so the next build writes them again from what may still be
    published. The pointer moves in one transaction, before any object is deleted: a store
    that does not answer leaves the objects to the next ``open_data_days_purge``, never a
    day still served."""
    if not days:
        return
    with transaction.atomic():
        rows = list(
            OpenDataDay.objects.select_for_update()
            .filter(day__in=days, current__isnull=False)
            .order_by("day")
        )
        OpenDataDayFile.objects.filter(pk__in=[row.current_id for row in rows]).update(
            discarded_at=timezone.now()
        )
        OpenDataDay.objects.filter(pk__in=[row.pk for row in rows]).update(current=None)
    open_data_days_purge(days=days)


def open_data_days_purge(*, days: set[date] | None = None) -> int:
    """Delete from the store the objects of discarded files (of ``days``, or all) not deleted
    yet; return how many files were purged. An object the day's current file has too (a
    rebuild with the very same bytes) stays. A store that does not answer leaves that day
    for the next run (logged)."""
    pending = OpenDataDayFile.objects.filter(discarded_at__isnull=False, purged_at__isnull=True)
    if days is not None:
        pending = pending.filter(day__day__in=days)
    purged = 0
    for day_pk in pending.order_by().values_list("day", flat=True).distinct():
        try:
            purged += _day_purge(day_pk=day_pk, pending=pending)
        except StorageUnavailable:
            logger.warning("Open data day %s: the store did not delete its old file", day_pk)
    return purged


def _day_purge(*, day_pk: int, pending) -> int:
    with transaction.atomic():
        day = (
            OpenDataDay.objects.select_for_update(of=("self",))
            .select_related("current")
            .get(pk=day_pk)
        )
        files = list(pending.filter(day=day).select_related("day"))
        for superseded in files:
            if day.current is None or day.current.sha256 != superseded.sha256:
                storage_backend().delete(superseded.key)
            superseded.purged_at = timezone.now()
            superseded.save(update_fields=["purged_at"])
    return len(files)


@dataclass
class ImportReport:
    """What ``open_data_days_import`` did with each day of a folder."""

    imported: list[date] = field(default_factory=list)
    present: list[date] = field(default_factory=list)  # the store already had the day
    stale: list[date] = field(default_factory=list)  # names someone withheld since: rebuilt
    refused: dict[date, str] = field(default_factory=dict)  # not signed by the seal, ...


def open_data_days_import(*, folder: Path) -> ImportReport:
    """Put the day files that earlier versions built in a local folder (``events-<day>.csv``
    and its ``.sig``) into the document store, each as its day's current file unless the
    day already has a file in the store (built or imported, even if discarded since).

    Idempotent. A file is refused unless the seal's signature in its ``.sig`` verifies over
    its bytes; a file read before a withholding of one of its events (or not saying how far
    it read) is left out: the next build writes that day without the name."""
    report = ImportReport()
    withholdings = selectors.open_data_day_withholdings()
    for csv_path in sorted(folder.glob("events-*.csv")):
        try:
            day = date.fromisoformat(csv_path.name.removeprefix("events-").removesuffix(".csv"))
        except ValueError:
            continue
        headers = selectors.open_data_signature_lines(csv_path.with_name(csv_path.name + ".sig"))
        through = headers.get(selectors.BUILT_THROUGH_HEADER, "")
        built_through = int(through) if through.lstrip("-").isdigit() else None
        if day in withholdings and (built_through is None or built_through < withholdings[day]):
            report.stale.append(day)
            continue
        outcome = _day_import(day=day, path=csv_path, headers=headers, through=built_through)
        if outcome in ("imported", "present"):
            getattr(report, outcome).append(day)
        else:
            report.refused[day] = outcome
    return report


def _day_import(*, day: date, path: Path, headers: dict[str, str], through: int | None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if not open_data_verifies(digest=digest.digest(), signature=headers.get(SIGNATURE_HEADER, "")):
        return "the seal's signature does not verify over the file"
    OpenDataDay.objects.get_or_create(day=day)
    with transaction.atomic():
        day_row = OpenDataDay.objects.select_for_update().get(day=day)
        if day_row.files.exists():
            return "present"
        imported = OpenDataDayFile(
            day=day_row,
            sha256=digest.hexdigest(),
            size=path.stat().st_size,
            signature=headers[SIGNATURE_HEADER],
            certificate_sha256=headers.get(KEY_HEADER, ""),
            built_through=through,
            built_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
        )
        imported.full_clean()
        with path.open("rb") as handle:
            storage_backend().put_stream(
                imported.key, handle, sha256=imported.sha256, content_type=CSV_CONTENT_TYPE
            )
        imported.save()
        day_row.current = imported
        day_row.save(update_fields=["current"])
    return "imported"
