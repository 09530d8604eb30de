"""The public register's private side, and signing requests waiting for the timestamp service.

A ``RegistryEvent`` is one registry event (signed, verified, breached, ...) as appended to
the transparency log (``signing.transparency``): the log holds only a salted hash; the event,
its salt and the leaf index stay here, so the subject can be given a receipt that reveals
them and anyone can check it against a signed checkpoint.

A ``SigningRequest`` keeps a commitment whose signature could not be completed yet (the
timestamp authority did not answer) or that was signed elsewhere and uploaded, until the
background task has finished the signing and started the verification.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from commitments.catalogue.models import StateModel
from commitments.lifecycle.models import Commitment
from directory.models import Subject


class RegistryEvent(models.Model):
    """One event of the public register, with what is needed to prove it later."""

    class Type(models.TextChoices):
        SIGNED = "signed", _("Signed")
        VERIFIED = "verified", _("Verified")
        BREACHED = "breached", _("Breached")
        OBJECTED = "objected", _("Objected")
        REPAIRED = "repaired", _("Repaired")
        LISTED = "listed", _("Listed")
        DELISTED = "delisted", _("Delisted")

    event_type = models.CharField(_("event"), max_length=20, choices=Type.choices)
    commitment = models.ForeignKey(
        Commitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_events",
    )
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="registry_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Exactly what was hashed into the log (with ``salt``): never edited after creation.
    event = models.JSONField(_("event as logged"), editable=False)
    salt = models.CharField(max_length=64, editable=False)
    leaf_index = models.BigIntegerField(_("log entry"), unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["leaf_index"]
        verbose_name = _("registry event")
        verbose_name_plural = _("registry events")
        indexes = [models.Index(fields=["commitment", "leaf_index"])]

    def __str__(self) -> str:
        return f"{self.leaf_index} {self.event_type}"


class SigningRequest(StateModel):
    """A signature to finish in the background (timestamp service down, or an upload)."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Signed on the platform")
        UPLOADED = "uploaded", _("Signed elsewhere and uploaded")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the timestamp service")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, related_name="signing_request"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PLATFORM)
    # An upload kept until the seal can be added (the signature was checked before storing).
    uploaded_document = models.ForeignKey(
        "signing.SignedDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = FSMField(_("status"), choices=Status.choices, default=Status.PENDING, protected=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signing request")
        verbose_name_plural = _("signing requests")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.status}"

    @transition(field=status, source=Status.PENDING, target=Status.COMPLETED)
    def complete(self) -> None:
        self.last_error = ""

    @transition(field=status, source=Status.PENDING, target=Status.FAILED)
    def fail(self, *, error: str) -> None:
        self.last_error = error[:2000]

    @transition(field=status, source=[Status.FAILED, Status.COMPLETED], target=Status.PENDING)
    def reopen(self) -> None:
        """A failed request tried again by the applicant."""
