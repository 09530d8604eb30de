"""Reads of record changes: a calling system's pull feed (by cursor), and the failed webhook
deliveries officers see."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from credit.changes.models import RecordChangeNotice
from credit.check.models import CallingSystem
from notifications.models import OutboxMessage

FEED_LIMIT_MAX = 500


def change_feed(*, system: CallingSystem, after: int, limit: int) -> list[RecordChangeNotice]:
    """The system's notices after the cursor ``after`` (a notice number), oldest first."""
    return list(
        RecordChangeNotice.objects.filter(calling_system=system, pk__gt=after)
        .select_related("breach__subject", "breach__category")
        .order_by("pk")[:limit]
    )


def change_feed_last(*, system: CallingSystem) -> int:
    """The system's newest notice number (0 when it has none): no cursor may pass it."""
    last = (
        RecordChangeNotice.objects.filter(calling_system=system)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0


def failed_webhooks_q() -> Q:
    """Notices whose webhook failed (retrying or given up) and that no feed read delivered."""
    return Q(
        webhook__status__in=(OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD),
        delivered_at__isnull=True,
    )


def failed_webhooks(*, department_ids: Iterable[int]) -> QuerySet[RecordChangeNotice]:
    """Failed deliveries of changes to records of the given departments, newest first."""
    return (
        RecordChangeNotice.objects.filter(
            failed_webhooks_q(), breach__department_id__in=department_ids
        )
        .select_related("calling_system", "breach__subject", "webhook")
        .order_by("-pk")
    )
