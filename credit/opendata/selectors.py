"""Reads of the open data feed: the events after a cursor, by day, and what was announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from credit.opendata.models import OpenDataEvent

PAGE_MAX = 500


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
