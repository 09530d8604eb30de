"""Delivery: hand outbox messages to their channels, at least once per key.

Run by ``notifications.tasks.outbox_deliver_task`` (kicked after a commit, and on every beat).
Webhooks go in batches, POSTed concurrently over kept-alive connections and recorded in one
transaction per batch; e-mail, SMS and in-app messages one by one.
Safe to run twice: a message committed ``sent`` is never sent again. The one repeat possible
is a message a peer accepted just before the worker died, before ``sent`` was committed; it
goes out again with the same Message-ID / Idempotency-Key (ADR 0007).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.channels import DeliveryError, deliver, deliver_webhook
from notifications.models import Channel, DeliveryAttempt, OutboxMessage
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
            outbox_sent.send(sender=OutboxMessage, messages=[message])
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


def _claim_webhooks(*, now, limit: int) -> list[OutboxMessage]:
    """Lock up to ``limit`` due webhooks (``SKIP LOCKED``) with their endpoints, and count the
    attempt each is about to get; call inside the batch's transaction."""
    messages = list(
        outbox_due(now=now)
        .filter(channel=Channel.WEBHOOK)
        .select_related("endpoint")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_attempt_at", "pk")[:limit]
    )
    if not messages:
        return []
    if db_connection.vendor == "postgresql":  # the rows are locked: one UPDATE claims them all
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            attempts=F("attempts") + 1
        )
        claimed = messages
    else:  # SQLite has no row locks: each claim is a compare-and-set, as one by one
        claimed = [
            message
            for message in messages
            if OutboxMessage.objects.filter(
                pk=message.pk, attempts=message.attempts, status=message.status
            ).update(attempts=message.attempts + 1)
        ]
    for message in claimed:
        message.attempts += 1
    return claimed


def _post_all(messages: list[OutboxMessage]) -> dict[int, DeliveryError | None]:
    """POST every webhook at once (``WEBHOOK_CONCURRENCY`` threads, keep-alive connections);
    the outcome of each: None when accepted, else its error. No database access."""

    def post(message: OutboxMessage) -> DeliveryError | None:
        try:
            deliver_webhook(message)
        except DeliveryError as error:
            return error
        return None

    threads = min(len(messages), int(getattr(settings, "WEBHOOK_CONCURRENCY", 16)))
    if threads <= 1:
        return {message.pk: post(message) for message in messages}
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook") as pool:
        return dict(zip([m.pk for m in messages], pool.map(post, messages), strict=True))


def outbox_deliver_webhooks(*, now=None, limit: int | None = None) -> list[OutboxMessage]:
    """Claim a batch of due webhooks, POST them concurrently and record every outcome, in one
    transaction; return the batch (each with its new status).

    The batch's rows stay locked while their POSTs run (other workers take other rows); every
    ``sent`` and its log row commit together, with the change notices they deliver (one
    ``outbox_sent`` for the batch). A worker that dies before the commit leaves the whole batch
    as it was, to be claimed again: nothing is lost, and a receiver that had accepted some of
    it gets them again with the same ``Chengnuo-Webhook-Id`` (at least once, ADR 0031).
    """
    now = now or timezone.now()
    limit = limit or int(getattr(settings, "WEBHOOK_BATCH_SIZE", 100))
    with transaction.atomic():
        messages = _claim_webhooks(now=now, limit=limit)
        if not messages:
            return []
        outcomes = _post_all(messages)
        finished = timezone.now()
        max_attempts = getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8)
        attempts, sent = [], []
        for message in messages:
            error = outcomes[message.pk]
            if error is None:
                message.status = OutboxMessage.Status.SENT
                message.sent_at = finished
                message.last_error = ""
                sent.append(message)
            else:
                message.last_error = str(error)[:2000]
                if not error.retryable or message.attempts >= max_attempts:
                    message.status = OutboxMessage.Status.DEAD
                else:
                    message.status = OutboxMessage.Status.FAILED
                    message.next_attempt_at = finished + outbox_retry_delay(message.attempts)
            attempts.append(
                DeliveryAttempt(
                    message=message,
                    number=message.attempts,
                    at=finished,
                    outcome=(
                        DeliveryAttempt.Outcome.SENT
                        if error is None
                        else DeliveryAttempt.Outcome.FAILED
                    ),
                    error="" if error is None else message.last_error,
                )
            )
        DeliveryAttempt.objects.bulk_create(attempts)
        # One UPDATE per distinct outcome (all sent rows share theirs): Django's bulk_update
        # would build a CASE per row and field, the costliest step of a batch.
        outcomes_by_values: dict[tuple, list[int]] = {}
        for message in messages:
            values = (message.status, message.next_attempt_at, message.last_error, message.sent_at)
            outcomes_by_values.setdefault(values, []).append(message.pk)
        for (status, next_attempt_at, last_error, sent_at), pks in outcomes_by_values.items():
            OutboxMessage.objects.filter(pk__in=pks).update(
                status=status,
                next_attempt_at=next_attempt_at,
                last_error=last_error,
                sent_at=sent_at,
            )
        if sent:
            outbox_sent.send(sender=OutboxMessage, messages=sent)
    return messages


def outbox_deliver_due(*, limit: int = 200) -> DeliveryRun:
    """Deliver due messages, at most ``limit``: webhooks in concurrent batches
    (``outbox_deliver_webhooks``), then the others one by one (each in its own transaction)."""
    run = DeliveryRun()
    while run.sent + run.failed + run.dead < limit:
        batch = outbox_deliver_webhooks(
            limit=min(limit - (run.sent + run.failed + run.dead), _batch_size())
        )
        if not batch:
            break
        for message in batch:
            _count(run, message)
    connection = get_connection()  # one SMTP session for the run, reopened after a failure
    try:
        for _index in range(limit - (run.sent + run.failed + run.dead)):
            message = outbox_deliver_next(connection=connection)
            if message is None:
                break
            _count(run, message)
        else:
            run.more_due = outbox_has_due()
    finally:
        connection.close()
    return run


def _batch_size() -> int:
    return int(getattr(settings, "WEBHOOK_BATCH_SIZE", 100))


def _count(run: DeliveryRun, message: OutboxMessage) -> None:
    if message.status == OutboxMessage.Status.SENT:
        run.sent += 1
    elif message.status == OutboxMessage.Status.DEAD:
        run.dead += 1
    else:
        run.failed += 1
