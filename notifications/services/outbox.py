"""The outbox of warnings: write messages to deliver, once per key, in the causing transaction.

Also each recipient's preferences for messages (language, mobile number). Delivery is
``notifications.services.delivery``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from directory.rows import insert_unless_exists
from notifications.models import Channel, OutboxMessage, RecipientPreference


def recipient_language(*, user: AbstractBaseUser) -> str:
    """The language the user reads messages in (Simplified Chinese unless they chose).

    Not read again when the user was loaded with it
    (``select_related("notification_preference")``).
    """
    if type(user).notification_preference.is_cached(user):
        preference = getattr(user, "notification_preference", None)
    else:
        preference = RecipientPreference.objects.filter(user=user).only("language").first()
    return preference.language if preference else RecipientPreference.Language.ZH_HANS


def recipient_preference_set(
    *, user: AbstractBaseUser, language: str | None = None, mobile: str | None = None
) -> RecipientPreference:
    preference, _created = RecipientPreference.objects.get_or_create(user=user)
    if language is not None:
        preference.language = language
    if mobile is not None:
        preference.mobile = mobile.strip()
    preference.full_clean()
    preference.save()
    return preference


def _address(*, channel: str, recipient: AbstractBaseUser) -> tuple[str, str]:
    """The address for the channel and, when there is none, why."""
    if channel == Channel.EMAIL:
        return (recipient.email or "", "" if recipient.email else "The recipient has no e-mail.")
    if channel == Channel.SMS:
        mobile = (
            RecipientPreference.objects.filter(user=recipient)
            .values_list("mobile", flat=True)
            .first()
        )
        return (mobile or "", "" if mobile else "The recipient has no mobile number.")
    return ("", "")


def outbox_enqueue(
    *,
    key: str,
    channel: str,
    recipient: AbstractBaseUser,
    subject: str,
    body: str,
    language: str,
    link: str = "",
    audience_group: str = "",
    topic: str = "",
) -> tuple[OutboxMessage, bool]:
    """Write a message to deliver, once per ``key``; call it inside the causing transaction.

    A recipient without an address for the channel gets a ``dead`` row saying so, so an
    officer sees that this warning could not go out this way.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    address, missing = _address(channel=channel, recipient=recipient)
    now = timezone.now()
    defaults = {
        "channel": channel,
        "recipient": recipient,
        "address": address,
        "language": language,
        "subject": subject[:200],
        "body": body,
        "link": link,
        "audience_group": audience_group,
        "topic": topic,
        "next_attempt_at": now,
    }
    if missing:
        defaults.update(status=OutboxMessage.Status.DEAD, last_error=missing)
    message = OutboxMessage(key=key, **defaults)
    if insert_unless_exists(message, conflict="key"):  # one statement for a new key
        return message, True
    return OutboxMessage.objects.get(key=key), False


def recipient_languages(*, user_ids) -> dict[int, str]:
    """Each user's message language in one query (Simplified Chinese unless they chose)."""
    chosen = dict(
        RecipientPreference.objects.filter(user_id__in=set(user_ids)).values_list(
            "user_id", "language"
        )
    )
    return {pk: chosen.get(pk, RecipientPreference.Language.ZH_HANS) for pk in set(user_ids)}


@dataclass(frozen=True)
class OutboxItem:
    key: str
    channel: str
    recipient: AbstractBaseUser
    subject: str
    body: str
    language: str
    link: str = ""
    audience_group: str = ""
    topic: str = ""


def outbox_enqueue_many(*, items: list[OutboxItem]) -> int:
    """Write many messages in a few queries; keys already written are left alone.

    Returns how many rows were new. Call it inside the causing transaction.
    """
    if not items:
        return 0
    recipient_ids = {item.recipient.pk for item in items}
    mobiles = dict(
        RecipientPreference.objects.filter(user_id__in=recipient_ids)
        .exclude(mobile="")
        .values_list("user_id", "mobile")
    )
    now = timezone.now()
    rows = []
    for item in items:
        if item.channel == Channel.EMAIL:
            address = item.recipient.email or ""
            missing = "" if address else "The recipient has no e-mail."
        elif item.channel == Channel.SMS:
            address = mobiles.get(item.recipient.pk, "")
            missing = "" if address else "The recipient has no mobile number."
        else:
            address, missing = "", ""
        rows.append(
            OutboxMessage(
                key=item.key,
                channel=item.channel,
                recipient=item.recipient,
                address=address,
                language=item.language,
                subject=item.subject[:200],
                body=item.body,
                link=item.link,
                audience_group=item.audience_group,
                topic=item.topic,
                next_attempt_at=now,
                status=OutboxMessage.Status.DEAD if missing else OutboxMessage.Status.PENDING,
                last_error=missing,
            )
        )
    keys = [row.key for row in rows]
    existing = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    # ignore_conflicts: a concurrent writer of the same key wins, this one is a no-op.
    OutboxMessage.objects.bulk_create(
        [row for row in rows if row.key not in existing], ignore_conflicts=True, batch_size=500
    )
    return len(set(keys) - existing)


def outbox_retry_now(*, message: OutboxMessage) -> bool:
    """Put a failed or dead message back in line at once (an officer's action)."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk,
            status__in=(OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD),
        )
        .exclude(address="", channel__in=(Channel.EMAIL, Channel.SMS))
        .update(status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now())
    )


@dataclass(frozen=True)
class Webhook:
    """One signed webhook to write: its key (the delivery's id), endpoint and JSON body."""

    key: str
    endpoint: object  # a WebhookEndpoint
    subject: str
    payload: str
    topic: str = ""
    audience_group: str = ""


def webhooks_enqueue(webhooks: list[Webhook]) -> dict[str, OutboxMessage]:
    """Write many signed webhooks at once (a fan-out), each once per key; return every row by
    key, new or already there. Two statements whatever their number: one ``INSERT ... ON
    CONFLICT DO NOTHING`` and one read back. Call it inside the causing transaction.

    On PostgreSQL the outbox is partitioned by month and ``ON CONFLICT`` sees only this month's
    keys (ADR 0035): the caller passes keys it has not written before (the record change
    notices not yet linked to a message), so a key of an earlier month does not come back."""
    if not webhooks:
        return {}
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=webhook.key,
                channel=Channel.WEBHOOK,
                recipient_id=webhook.endpoint.owner_id,
                endpoint=webhook.endpoint,
                address=webhook.endpoint.url,
                language=RecipientPreference.Language.ZH_HANS,
                subject=webhook.subject[:200],
                body=webhook.payload,
                topic=webhook.topic,
                audience_group=webhook.audience_group,
                next_attempt_at=now,
            )
            for webhook in webhooks
        ],
        ignore_conflicts=True,
    )
    return {
        message.key: message
        for message in OutboxMessage.objects.filter(key__in=[w.key for w in webhooks])
    }


def outbox_resend(*, message: OutboxMessage) -> bool:
    """Put a failed or abandoned message back in the queue, due now; False if it was sent or
    is already waiting. The attempts so far and their log stay."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk,
            status__in=(OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD),
        ).update(status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now())
    )
