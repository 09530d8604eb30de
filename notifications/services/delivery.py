"""Delivery: hand outbox messages to their channels, at least once per key.

Run by ``notifications.tasks.outbox_deliver_task`` (kicked after a commit, and on every beat).
Safe to run twice: a message committed ``sent`` is never sent again. The one repeat possible
is a message a peer accepted just before the worker died, before ``sent`` was committed; it
goes out again with the same Message-ID / Idempotency-Key (ADR 0007).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from notifications.channels import DeliveryError, deliver
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.selectors import outbox_due, outbox_has_due
from notifications.signals import outbox_sent


def outbox_retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: base, 2×base, 4×base … capped."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 30)
    cap = getattr(settings, "OUTBOX_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def outbox_deliver_next(*, now=None, connection=None) -> OutboxMessage | None:
    """Claim one due message, hand it to its channel and record the outcome, in one transaction.

    The row stays locked (``FOR UPDATE SKIP LOCKED``: other workers take other rows) while
    the channel works; ``sent`` and its log row commit together. A worker that dies before
    the commit leaves the row as it was, to be claimed again: nothing is lost, and the only
    possible repeat is a remote peer that accepted just before the death (see ``channels``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            outbox_due(now=now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        number = message.attempts + 1
        # The claim is a write before the channel is called: on PostgreSQL the row is already
        # locked; on SQLite (no row locks) the write takes the database's write lock, so a
        # second delivery that read the same row waits or fails here instead of sending it too.
        claimed = OutboxMessage.objects.filter(
            pk=message.pk, attempts=message.attempts, status=message.status
        ).update(attempts=number)
        if not claimed:
            return None
        message.attempts = number
        try:
            deliver(message, connection=connection)
        except DeliveryError as error:
            max_attempts = getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8)
            message.last_error = str(error)[:2000]
            if not error.retryable or number >= max_attempts:
                message.status = OutboxMessage.Status.DEAD
            else:
                message.status = OutboxMessage.Status.FAILED
                message.next_attempt_at = timezone.now() + outbox_retry_delay(number)
            DeliveryAttempt.objects.create(
                message=message,
                number=number,
                at=timezone.now(),
                outcome=DeliveryAttempt.Outcome.FAILED,
                error=message.last_error,
            )
            if connection is not None:
                connection.close()  # a broken SMTP session must not poison the next message
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            DeliveryAttempt.objects.create(
                message=message,
                number=number,
                at=message.sent_at,
                outcome=DeliveryAttempt.Outcome.SENT,
            )
            outbox_sent.send(sender=OutboxMessage, message=message)
        message.save(
            update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"]
        )
    return message


@dataclass
class DeliveryRun:
    """What one delivery run did, and whether another should follow at once."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    more_due: bool = False


def outbox_deliver_due(*, limit: int = 200) -> DeliveryRun:
    """Deliver due messages one by one (each in its own transaction), at most ``limit``."""
    run = DeliveryRun()
    connection = get_connection()  # one SMTP session for the run, reopened after a failure
    try:
        for _index in range(limit):
            message = outbox_deliver_next(connection=connection)
            if message is None:
                break
            if message.status == OutboxMessage.Status.SENT:
                run.sent += 1
            elif message.status == OutboxMessage.Status.DEAD:
                run.dead += 1
            else:
                run.failed += 1
        else:
            run.more_due = outbox_has_due()
    finally:
        connection.close()
    return run
