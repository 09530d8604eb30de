"""Reads of the open data feed: the events after a cursor, by day, and what was announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.db.models import F, Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from credit.opendata.models import OpenDataDay, OpenDataDayFile, OpenDataEvent
from signing.errors import DocumentMissing
from signing.storage import storage_backend

PAGE_MAX = 500
# The signature files that earlier versions wrote beside a day file also said how far the log
# was read for it (now ``OpenDataDayFile.built_through``), read when they are imported.
BUILT_THROUGH_HEADER = "Chengnuo-Built-Through-Leaf"
# How often a reader reads a day's pointer again when a rebuild moves it while it opens it.
DAY_OPEN_ATTEMPTS = 3


def open_data_was_published(*, record_id: int) -> bool:
    """Whether the feed ever announced this record's publication."""
    return OpenDataEvent.objects.filter(
        kind=OpenDataEvent.Kind.PUBLICATION_STARTED, record_id=record_id
    ).exists()


def open_data_events(
    *,
    after: int | None = None,
    since: date | None = None,
    until: date | None = None,
    recorded_from: datetime | None = None,
    recorded_before: datetime | None = None,
) -> QuerySet[OpenDataEvent]:
    """Events in log order, after the leaf index ``after``, effective within [since, until],
    recorded within [recorded_from, recorded_before)."""
    queryset = OpenDataEvent.objects.select_related("checkpoint", "withheld_by").order_by(
        "leaf_index"
    )
    if after is not None:
        queryset = queryset.filter(leaf_index__gt=after)
    if since is not None:
        queryset = queryset.filter(effective_on__gte=since)
    if until is not None:
        queryset = queryset.filter(effective_on__lte=until)
    if recorded_from is not None:
        queryset = queryset.filter(created_at__gte=recorded_from)
    if recorded_before is not None:
        queryset = queryset.filter(created_at__lt=recorded_before)
    return queryset


def open_data_signature_lines(path: Path) -> dict[str, str]:
    """The ``Name: value`` lines of a signature file that earlier versions wrote beside a day
    file (the headers as ``curl -D`` saves them); empty when there is none."""
    try:
        text = path.read_text(encoding="ascii")
    except (FileNotFoundError, UnicodeDecodeError):
        return {}
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def open_data_day_current(*, day: date) -> OpenDataDayFile | None:
    """The file served for ``day``, or None when the day is not built (yet, or again after a
    discard)."""
    files = OpenDataDayFile.objects.select_related("day")
    return files.filter(day__day=day, day__current=F("pk")).first()


def open_data_current_files(*, days: set[date]) -> dict[date, OpenDataDayFile]:
    """The current file of each of ``days`` that has one."""
    files = OpenDataDayFile.objects.select_related("day").filter(
        day__day__in=days, day__current=F("pk")
    )
    return {file.day.day: file for file in files}


def open_data_built_days(*, first: date, last: date) -> set[date]:
    """The days within [first, last] that have a current file."""
    return set(
        OpenDataDay.objects.filter(day__range=(first, last), current__isnull=False).values_list(
            "day", flat=True
        )
    )


def open_data_latest_day() -> date | None:
    """The latest day with a current file, or None."""
    return OpenDataDay.objects.filter(current__isnull=False).aggregate(latest=Max("day"))["latest"]


@dataclass(frozen=True)
class DayBody:
    """A built day's CSV opened for reading from the store, with the file row (digest,
    size, signature) of exactly the bytes opened."""

    body: BinaryIO
    file: OpenDataDayFile


def open_data_day_open(*, day: date) -> DayBody | None:
    """Open the current file of ``day`` from the document store, or None when the day is not
    built (yet, or again after a discard).

    The object is named by its digest, so what is opened is the very bytes the row signs.
    A rebuild may discard the row and delete its object between the read of the pointer and
    the opening: the pointer is then read again (a reader that opened the object first keeps
    reading it). ``DocumentMissing`` when the current file's object is not in the store,
    ``StorageUnavailable`` when the store does not answer."""
    current = open_data_day_current(day=day)
    for _attempt in range(DAY_OPEN_ATTEMPTS):
        if current is None:
            return None
        try:
            return DayBody(body=storage_backend().open(current.key), file=current)
        except DocumentMissing:
            again = open_data_day_current(day=day)
            if again is not None and again.pk == current.pk:
                raise
            current = again
    raise DocumentMissing(f"The file of {day} kept changing while it was opened.")


def open_data_last_leaf() -> int:
    """The largest open data leaf index committed (-1 before the first event)."""
    last = OpenDataEvent.objects.aggregate(last=Max("leaf_index"))["last"]
    return -1 if last is None else last


def open_data_day_withholdings() -> dict[date, int]:
    """For each day (of recording) with withheld events: the largest leaf index of the
    withholdings that erased their names."""
    rows = (
        OpenDataEvent.objects.filter(withheld_by__isnull=False)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(last=Max("withheld_by__leaf_index"))
        .order_by("day")
    )
    return {row["day"]: row["last"] for row in rows}
