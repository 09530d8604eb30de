"""Send a message to a user: in the application at once, by e-mail after the commit; and the
outbox of warnings, delivered exactly once per key on e-mail, SMS and the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from notifications.models import (
    Channel,
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    RecipientPreference,
)


@transaction.atomic
def notification_send(
    *, recipient: AbstractBaseUser, key: str, subject: str, body: str, link: str = ""
) -> Notification:
    """Notify once per ``key``: a retried or repeated event does not notify twice."""
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={"recipient": recipient, "subject": subject[:200], "body": body, "link": link},
    )
    if created and recipient.email:
        from notifications.tasks import notification_email_task

        notification_id = notification.pk
        transaction.on_commit(lambda: notification_email_task.delay(notification_id))
    return notification


def notification_mark_read(*, notification: Notification, by: AbstractBaseUser) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_email(*, notification_id: int) -> bool:
    """Deliver one notification by e-mail unless it was already delivered; True if sent now."""
    from django.core.mail import send_mail

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        body = notification.body
        if notification.link:
            # Links are stored site-relative; a mail reader needs the whole address.
            link = notification.link
            if link.startswith("/"):
                link = settings.SITE_URL.rstrip("/") + link
            body = f"{body}\n\n{link}"
        send_mail(notification.subject, body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


# The outbox -----------------------------------------------------------------------------------


def recipient_language(*, user: AbstractBaseUser) -> str:
    """The language the user reads messages in (Simplified Chinese unless they chose)."""
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
    return OutboxMessage.objects.get_or_create(key=key, defaults=defaults)


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


def outbox_retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: base, 2×base, 4×base … capped."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 30)
    cap = getattr(settings, "OUTBOX_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _due_messages(now):
    return OutboxMessage.objects.filter(
        status__in=(OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED),
        next_attempt_at__lte=now,
    )


def outbox_has_due(*, now=None) -> bool:
    return _due_messages(now or timezone.now()).exists()


def outbox_deliver_next(*, now=None, connection=None) -> OutboxMessage | None:
    """Claim one due message, hand it to its channel and record the outcome, in one transaction.

    The row stays locked (``FOR UPDATE SKIP LOCKED``: other workers take other rows) while
    the channel works; ``sent`` and its log row commit together. A worker that dies before
    the commit leaves the row as it was, to be claimed again: nothing is lost, and the only
    possible repeat is a remote peer that accepted just before the death (see ``channels``).
    """
    from notifications.channels import DeliveryError, deliver

    now = now or timezone.now()
    with transaction.atomic():
        message = (
            _due_messages(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        number = message.attempts + 1
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
        message.save(
            update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"]
        )
    return message


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    more_due: bool = False
    next_retry_at: object = None


def outbox_deliver_due(*, limit: int = 200) -> DeliveryRun:
    """Deliver due messages one by one (each in its own transaction), at most ``limit``."""
    from django.core.mail import get_connection

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
                if run.next_retry_at is None or message.next_attempt_at < run.next_retry_at:
                    run.next_retry_at = message.next_attempt_at
        else:
            run.more_due = outbox_has_due()
    finally:
        connection.close()
    return run


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
