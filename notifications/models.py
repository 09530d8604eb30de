"""Messages to users: the in-application inbox, the outbox of every message to deliver and its
delivery log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.encryption import EncryptedSecretField


class Notification(models.Model):
    """One message to one user. ``key`` makes sending idempotent: the same event notifies once.

    Its e-mail, when the user has an address, is an ``OutboxMessage`` written with it.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class RecipientPreference(models.Model):
    """How a user wants to be reached: the language of messages and a mobile for SMS."""

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", _("Simplified Chinese")
        EN = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language of messages"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    mobile = models.CharField(_("mobile number for SMS"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    INAPP = "inapp", _("In-application inbox")
    WEBHOOK = "webhook", _("Signed webhook")


class WebhookEndpoint(models.Model):
    """A URL that receives signed webhooks for one user (another system's API user), with the
    secret its deliveries are signed with (``notifications.webhooks``). The secret is kept to
    sign with, so it cannot be hashed: it is encrypted at rest under keys kept outside the
    database (``notifications.encryption``); it is shown once, when it is made."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.CharField(_("URL"), max_length=254)
    secret = EncryptedSecretField(_("secret"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class OutboxMessage(models.Model):
    """One message to deliver on one channel, written once per ``key``, delivered at least once.

    The row is written in the transaction of the event that causes it (the unique key makes
    a repeated event a no-op) and delivered later by a worker that claims it with
    ``SELECT ... FOR UPDATE SKIP LOCKED`` and marks it sent in the same transaction as its
    delivery log. A worker that dies after the peer accepted and before that commit leaves it
    to be sent again, with the same ``message_id`` (ADR 0007). ``pending`` waits for its first
    attempt, ``failed`` for a retry at ``next_attempt_at`` (exponential back-off), ``dead``
    gave up and needs a person.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Failed, gave up")

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outbox_messages"
    )
    # E-mail address or mobile number captured when the message was written.
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    # Who may watch the delivery ("department:<pk>") and what it is about ("obligation:<pk>").
    audience_group = models.CharField(_("watched by"), max_length=60, blank=True)
    topic = models.CharField(_("about"), max_length=60, blank=True)
    # The endpoint of a webhook (its address is the endpoint's URL when it was written).
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            # The delivery worker's only query: due rows still to deliver.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="outbox_due_idx",
            ),
            models.Index(fields=["audience_group", "-created_at"], name="outbox_group_idx"),
            models.Index(fields=["topic"], name="outbox_topic_idx"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def message_id(self) -> str:
        """The e-mail Message-ID: the same on every attempt, so a duplicate is recognisable."""
        domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "") or "chengnuo.invalid"
        return f"<{self.key.replace(':', '.')}@{domain}>"


class DeliveryAttempt(models.Model):
    """The log of each attempt to hand a message to its channel, written with the outcome."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # No constraint in the database: on PostgreSQL the outbox is partitioned by month and its
    # key is (id, created_at), which a foreign key cannot point at (ADR 0035). Deleting a
    # message through Django still deletes its attempts; dropping a month of the outbox leaves
    # the attempts to their own retention (the same period, counted from the attempt).
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="delivery_attempt_unique"),
            # A message is sent at most once: a second "sent" log row cannot exist.
            models.UniqueConstraint(
                fields=["message"], condition=Q(outcome="sent"), name="delivery_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} #{self.number}: {self.outcome}"
