"""Reads of the open data feed: the events after a cursor, by day, and what was announced."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db.models import Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from credit.opendata.models import OpenDataEvent

PAGE_MAX = 500
# A day's signature file also says how far the log was read for it: the largest open data leaf
# index committed when its rows were read (a withholding with a larger index came after).
BUILT_THROUGH_HEADER = "Chengnuo-Built-Through-Leaf"
# How often a reader tries again when a day's files change while it opens them.
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


@dataclass(frozen=True)
class DayFile:
    """Where a day's CSV and its detached signature (``Name: value`` header lines) live."""

    day: date
    csv: Path
    signature: Path


def open_data_day_file_paths(*, day: date) -> DayFile:
    """The files of ``day`` under ``OPEN_DATA_ROOT``, built or not."""
    root = Path(settings.OPEN_DATA_ROOT)
    name = f"events-{day.isoformat()}.csv"
    return DayFile(day=day, csv=root / name, signature=root / f"{name}.sig")


def open_data_latest_day() -> date | None:
    """The latest day whose CSV is built (its signature written), or None."""
    root = Path(settings.OPEN_DATA_ROOT)
    days = []
    for path in root.glob("events-*.csv.sig"):
        try:
            days.append(date.fromisoformat(path.name.removeprefix("events-")[:10]))
        except ValueError:
            continue
    return max(days, default=None)


def open_data_day_signature(day_file: DayFile) -> dict[str, str] | None:
    """The signature headers of a built day (names as written), or None when not built."""
    try:
        text = day_file.signature.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


@dataclass(frozen=True)
class DayBody:
    """A built day's CSV opened for reading, with the signature headers over exactly it."""

    body: BinaryIO
    signature: dict[str, str]


def open_data_day_open(day_file: DayFile) -> DayBody | None:
    """Open a built day's CSV with the signature of exactly the bytes opened, or None when
    the day is not built (yet, or again after a discard).

    The CSV is opened first, then the signature read, then the CSV's name is checked to
    still be the file opened. The build and the discard keep one order (a CSV is put in
    place only while the day has no signature; the signature is written after its CSV and
    removed before it), so a signature that exists belongs to the CSV named at that moment:
    if the name pointed at the opened file before and after the signature was read (its
    inode held open cannot be reused), the two match. Otherwise the day was rebuilt in
    between and the reader tries again, never pairing an old signature with a rebuilt CSV."""
    for _attempt in range(DAY_OPEN_ATTEMPTS):
        try:
            body = day_file.csv.open("rb")
        except FileNotFoundError:
            return None
        signature = open_data_day_signature(day_file)
        opened = os.fstat(body.fileno())
        try:
            named = day_file.csv.stat()
        except FileNotFoundError:
            named = None
        unchanged = named is not None and (named.st_dev, named.st_ino) == (
            opened.st_dev,
            opened.st_ino,
        )
        if unchanged and signature is not None:
            return DayBody(body=body, signature=signature)
        body.close()
        if unchanged:
            return None  # written, not signed yet: not built
    return None


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
