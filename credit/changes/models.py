"""What changed in the credit record and who must hear of it: the outbox of notices to the
calling systems that received a record before it was repaired, revoked or corrected."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credit.check.models import CallingSystem
from credit.record.models.breaches import Breach
from notifications.models import OutboxMessage, WebhookEndpoint


class ChangeSubscription(models.Model):
    """How a calling system hears of changes: of the subjects it checked (always, by law) or of
    every subject, pushed as signed webhooks to its endpoint and/or pulled from its feed."""

    class Scope(models.TextChoices):
        CHECKED = "checked", _("Subjects it checked")
        ALL = "all", _("All subjects")

    calling_system = models.OneToOneField(
        CallingSystem, on_delete=models.PROTECT, related_name="change_subscription"
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    endpoint = models.OneToOneField(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_subscription",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("change subscription")
        verbose_name_plural = _("change subscriptions")

    def __str__(self) -> str:
        return f"{self.calling_system_id}: {self.get_scope_display()}"


class RecordChangeNotice(models.Model):
    """Outbox: a calling system that received a record is told that it changed."""

    class Change(models.TextChoices):
        REPAIRED = "repaired", _("Repaired")
        REVOKED = "revoked", _("Revoked")
        CORRECTED = "corrected", _("Corrected")

    calling_system = models.ForeignKey(
        CallingSystem, on_delete=models.PROTECT, related_name="change_notices"
    )
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="change_notices")
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # How it was delivered first: its webhook (the outbox row), or read from the pull feed.
    delivered_by = models.CharField(_("delivered by"), max_length=10, blank=True)
    # No constraint in the database: the outbox is partitioned by month on PostgreSQL (ADR
    # 0035). The notice keeps its own delivery record (delivered_at, delivered_by); once the
    # outbox's month is dropped at the end of its retention the message is gone with it.
    webhook = models.OneToOneField(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record_change_notice",
        db_constraint=False,
    )
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("re-sent"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("record change notice")
        verbose_name_plural = _("record change notices")
        constraints = [
            models.UniqueConstraint(
                fields=["calling_system", "breach", "change"], name="change_notice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change} {self.breach_id} → {self.calling_system_id}"
