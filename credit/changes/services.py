"""Writes of record changes: queue a notice for every calling system that received a record
before it changed (NDRC Order 36: repair reaches everyone who received the record) or that
subscribed to every change, push it as a signed webhook through the outbox, and record its
delivery (by the webhook, or by the system reading its pull feed past it).

Subscriptions: a calling system chooses its scope and, optionally, a webhook URL; the secret
that signs its deliveries is made here and shown once (docs/webhooks.md).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from credit.changes.models import ChangeSubscription, RecordChangeNotice
from credit.check.models import CallingSystem, CheckQuery
from credit.errors import CreditError, CreditErrorCode
from credit.record.models.breaches import Breach
from notifications.channels import webhook_own_hosts
from notifications.models import OutboxMessage, WebhookEndpoint
from notifications.services.outbox import Webhook, outbox_resend, webhooks_enqueue
from notifications.signals import outbox_sent
from notifications.tasks import outbox_deliver_task, task_kick_on_commit
from notifications.webhooks import webhook_secret_new, webhook_url_problem

logger = logging.getLogger(__name__)

DELIVERED_BY_WEBHOOK = "webhook"
DELIVERED_BY_FEED = "feed"


def _systems_to_tell(breach: Breach) -> list[int]:
    """The active calling systems that asked about the record's subject, and those that
    subscribed to every change, in system order."""
    checked = CheckQuery.objects.filter(subject_id=breach.subject_id).values_list(
        "calling_system_id", flat=True
    )
    everything = ChangeSubscription.objects.filter(
        scope=ChangeSubscription.Scope.ALL, calling_system__is_active=True
    ).values_list("calling_system_id", flat=True)
    return sorted(set(checked) | set(everything))


def change_payload(notice: RecordChangeNotice) -> dict:
    """What a system is told of one change (the webhook's body, the feed's item)."""
    breach = notice.breach
    return {
        "id": f"record-change:{notice.pk}",
        "cursor": notice.pk,
        "type": f"record.{notice.change}",
        "change": notice.change,
        "record": breach.pk,
        "subject": breach.subject.code,
        "category": breach.category.code,
        "record_date": breach.record_date.isoformat(),
        "occurred_at": notice.created_at.isoformat().replace("+00:00", "Z"),
    }


@transaction.atomic
def record_change_queue(*, breach: Breach, change: str) -> list[RecordChangeNotice]:
    """One notice per calling system to tell, in system order; a notice already queued for the
    same system, record and change is not queued twice. A system with an active webhook
    endpoint gets a signed webhook through the outbox, written in this transaction.

    Written in bulk, in a fixed number of statements whatever the number of systems (the
    systems, their endpoints, the notices inserted and read back, the webhooks inserted and
    read back, the notices linked to them): a record checked by hundreds of systems fans out
    in one short transaction.
    """
    systems = _systems_to_tell(breach)
    if not systems:
        return []
    RecordChangeNotice.objects.bulk_create(
        [
            RecordChangeNotice(calling_system_id=system_id, breach=breach, change=change)
            for system_id in systems
        ],
        ignore_conflicts=True,
    )
    notices = list(
        RecordChangeNotice.objects.filter(
            breach=breach, change=change, calling_system_id__in=systems
        ).order_by("calling_system_id")
    )
    for notice in notices:
        notice.breach = breach  # one breach for every payload: its subject and category once
    endpoints = {
        s.calling_system_id: s.endpoint
        for s in ChangeSubscription.objects.filter(
            calling_system_id__in=systems, endpoint__isnull=False, endpoint__is_active=True
        ).select_related("endpoint")
    }
    unlinked = [n for n in notices if n.webhook_id is None and n.calling_system_id in endpoints]
    audience = f"department:{breach.department_id}" if breach.department_id else ""
    messages = webhooks_enqueue(
        [
            Webhook(
                key=f"record-change:{notice.pk}",
                endpoint=endpoints[notice.calling_system_id],
                subject=f"record.{notice.change} {notice.breach_id}",
                payload=json.dumps(
                    change_payload(notice), ensure_ascii=False, separators=(",", ":")
                ),
                topic=f"breach:{notice.breach_id}",
                audience_group=audience,
            )
            for notice in unlinked
        ]
    )
    for notice in unlinked:
        notice.webhook = messages[f"record-change:{notice.pk}"]
    RecordChangeNotice.objects.bulk_update(unlinked, ["webhook"], batch_size=500)
    if any(notice.webhook_id for notice in notices):
        task_kick_on_commit(outbox_deliver_task)
    return notices


@receiver(outbox_sent, dispatch_uid="credit-changes-delivered")
def record_change_delivered(sender, messages: list[OutboxMessage], **kwargs) -> None:
    """Webhooks of notices were accepted: those notices are delivered (the first delivery
    counts), one UPDATE per time of sending (a batch shares one)."""
    by_time: dict = {}
    for message in messages:
        if message.channel == "webhook" and message.key.startswith("record-change:"):
            by_time.setdefault(message.sent_at, []).append(message.pk)
    for sent_at, pks in by_time.items():
        RecordChangeNotice.objects.filter(webhook_id__in=pks, delivered_at__isnull=True).update(
            delivered_at=sent_at, delivered_by=DELIVERED_BY_WEBHOOK
        )


def change_feed_acknowledge(*, system: CallingSystem, cursor: int) -> int:
    """A system that asks for the feed after ``cursor`` has read every notice up to it: those
    not yet delivered are delivered now, by the feed. Return how many."""
    return RecordChangeNotice.objects.filter(
        calling_system=system, pk__lte=cursor, delivered_at__isnull=True
    ).update(delivered_at=timezone.now(), delivered_by=DELIVERED_BY_FEED)


# -- subscriptions ---------------------------------------------------------------------------

URL_PROBLEMS = {
    "scheme": lambda: _("The URL must start with http:// or https://."),
    "host": lambda: _("The URL has no valid host."),
    "own": lambda: _("The URL points at this platform itself."),
    "private": lambda: _("Loopback, private and link-local addresses cannot receive webhooks."),
    "credentials": lambda: _("Put no user name or password in the URL."),
    "length": lambda: _("The URL is at most 254 characters."),
}


def _url_checked(url: str) -> str:
    url = url.strip()
    problem = webhook_url_problem(
        url,
        own_hosts=webhook_own_hosts(),
        allow_private=getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False),
    )
    if problem:
        raise CreditError(CreditErrorCode.INVALID, URL_PROBLEMS[problem](), field="url")
    return url


@transaction.atomic
def change_subscription_set(
    *, system: CallingSystem, scope: str, url: str | None, rotate_secret: bool = False
) -> tuple[ChangeSubscription, str | None]:
    """Subscribe ``system`` (or change its subscription): its scope and its webhook URL (None
    or "" for the pull feed only). Return the subscription and the new secret when one was
    made (a first URL, or ``rotate_secret``), else None. Bad input changes nothing."""
    if scope not in ChangeSubscription.Scope.values:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Choose a scope: %(choices)s.")
            % {"choices": ", ".join(ChangeSubscription.Scope.values)},
            field="scope",
        )
    url = _url_checked(url) if url and url.strip() else None
    subscription = (
        ChangeSubscription.objects.select_for_update(of=("self",))
        .filter(calling_system=system)
        .select_related("endpoint")
        .first()
    ) or ChangeSubscription(calling_system=system)
    subscription.scope = scope
    secret = None
    endpoint = subscription.endpoint
    if url is None:
        if endpoint is not None:
            endpoint.is_active = False
            endpoint.save(update_fields=["is_active"])
            subscription.endpoint = None
    elif endpoint is None or rotate_secret:
        if endpoint is not None:
            endpoint.is_active = False
            endpoint.save(update_fields=["is_active"])
        secret = webhook_secret_new()
        subscription.endpoint = WebhookEndpoint.objects.create(
            owner=system.user, url=url, secret=secret
        )
    elif endpoint.url != url:
        endpoint.url = url
        endpoint.save(update_fields=["url"])
    subscription.save()
    logger.info("change subscription of %s: scope=%s url=%s", system.code, scope, url)
    return subscription, secret


@transaction.atomic
def change_subscription_delete(*, system: CallingSystem) -> bool:
    """End the subscription; the notices the law requires still reach the pull feed."""
    subscription = ChangeSubscription.objects.filter(calling_system=system).first()
    if subscription is None:
        return False
    endpoint = subscription.endpoint
    subscription.delete()
    if endpoint is not None:
        endpoint.is_active = False
        endpoint.save(update_fields=["is_active"])
    return True


@transaction.atomic
def record_change_resend(*, notice: RecordChangeNotice, by: AbstractBaseUser) -> RecordChangeNotice:
    """An officer sends a failed webhook again (the caller checked that ``by`` may)."""
    message = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .filter(pk=notice.webhook_id)
        .first()
    )
    if message is None or message.status not in (
        OutboxMessage.Status.FAILED,
        OutboxMessage.Status.DEAD,
    ):
        raise CreditError(
            CreditErrorCode.INVALID_STATE, _("Only a failed delivery can be sent again.")
        )
    if message.endpoint is None or not message.endpoint.is_active:
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("The system no longer has an active webhook address."),
        )
    outbox_resend(message=message)
    notice.resent_by = by
    notice.resent_at = timezone.now()
    notice.save(update_fields=["resent_by", "resent_at"])
    task_kick_on_commit(outbox_deliver_task)
    logger.info("record change notice %s re-sent by %s", notice.pk, by.pk)
    return notice
