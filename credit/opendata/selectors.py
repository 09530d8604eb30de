"""Reads of the open data feed: the events after a cursor, by day, and what was announced."""

from __future__ import annotations

from datetime import date

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
) -> QuerySet[OpenDataEvent]:
    """Events in log order, after the leaf index ``after``, effective within [since, until]."""
    queryset = OpenDataEvent.objects.select_related("checkpoint", "withheld_by").order_by(
        "leaf_index"
    )
    if after is not None:
        queryset = queryset.filter(leaf_index__gt=after)
    if since is not None:
        queryset = queryset.filter(effective_on__gte=since)
    if until is not None:
        queryset = queryset.filter(effective_on__lte=until)
    return queryset
