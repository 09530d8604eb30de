"""A user's representation of a subject: its role, its proof, its scope and its end.

Imported by ``directory.models`` so that Django registers it with the directory app; it refers
to the directory's own models by name, which keeps the two modules free of an import cycle.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMModelMixin, transition

from directory.history import HistoricalRecords
from directory.states import StateField


class Representation(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A user acting for a subject: its legal representative, or an agent it authorised.

    Only a ``proven`` representation within its period lets the user act (sign, see the
    subject's records); a ``claimed`` one (a code typed at registration) lets the user prepare
    drafts and nothing else. A letter waits in ``pending_review`` for an officer; an agent's
    request waits in ``requested`` for a representative; both may end ``refused``. Anyone may
    end up ``revoked``. Every change is a history row with its actor and reason.
    """

    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
        AGENT = "agent", _("Agent")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed, not proven")
        PENDING_REVIEW = "pending_review", _("Letter awaiting an officer's review")
        REQUESTED = "requested", _("Awaiting a representative's authorisation")
        PROVEN = "proven", _("Proven")
        REFUSED = "refused", _("Refused")
        REVOKED = "revoked", _("Revoked")

    class Method(models.TextChoices):
        DECLARED = "declared", _("Declared by the user (not proof)")
        IDENTITY_PROVIDER = "identity_provider", _("Identity provider")
        CERTIFICATE = "certificate", _("Enterprise certificate")
        LETTER = "letter", _("Authorisation letter approved by an officer")
        GRANT = "grant", _("Authorised by a representative")

    OPEN_STATUSES = (Status.CLAIMED, Status.PENDING_REVIEW, Status.REQUESTED, Status.PROVEN)
    UNPROVEN_STATUSES = (Status.CLAIMED, Status.PENDING_REVIEW)

    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="representations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="representations"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    status = StateField(_("status"), choices=Status.choices, default=Status.CLAIMED, protected=True)
    method = models.CharField(
        _("proven by"), max_length=30, choices=Method.choices, default=Method.DECLARED
    )
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted or reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("granted or reviewed at"), null=True, blank=True)
    review_reason = models.TextField(_("reason of the grant or review"), blank=True)
    granted_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
        verbose_name=_("authorised by the representation"),
    )
    matters = models.ManyToManyField(
        "directory.Matter", blank=True, related_name="+", verbose_name=_("matters in scope")
    )
    covers_all_matters = models.BooleanField(_("every matter"), default=False)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(_("reason of the revocation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[matters])

    class Meta:
        ordering = ["subject", "pk"]
        verbose_name = _("representation")
        verbose_name_plural = _("representations")
        permissions = [("review_representation", _("Can review authorisation letters"))]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "user"],
                condition=Q(status__in=["claimed", "pending_review", "requested", "proven"]),
                name="representation_one_open_per_user",
            )
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["subject", "status"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user} → {self.subject} ({self.get_role_display()}, {self.get_status_display()})"
        )

    def clean_fields(self, exclude=None) -> None:
        """Skip the protected state, which ``full_clean`` would re-assign: its transitions
        validate it."""
        super().clean_fields(exclude=set(exclude or ()) | {"status"})

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The period must end after it starts.")})
        if self.granted_by_id and self.role != self.Role.AGENT:
            raise ValidationError(
                {"granted_by": _("Only an agent is authorised by a representative.")}
            )

    def is_effective_at(self, moment: datetime) -> bool:
        """Whether the user may act for the subject at ``moment`` (proven, within its period)."""
        return (
            self.status == self.Status.PROVEN
            and (self.valid_from is None or self.valid_from <= moment)
            and (self.valid_until is None or moment < self.valid_until)
        )

    @transition(field=status, source=Status.CLAIMED, target=Status.PENDING_REVIEW)
    def submit_letter(self, *, evidence: dict) -> None:
        self.method = self.Method.LETTER
        self.evidence = evidence

    @transition(
        field=status,
        source=[Status.CLAIMED, Status.PENDING_REVIEW, Status.REQUESTED],
        target=Status.PROVEN,
    )
    def prove(self, *, proof: str, evidence: dict, by, at: datetime, reason: str = "") -> None:
        self.method = proof
        self.evidence = evidence
        self.reviewed_by = by
        self.reviewed_at = at
        self.review_reason = reason
        if self.valid_from is None:
            self.valid_from = at

    @transition(
        field=status, source=[Status.PENDING_REVIEW, Status.REQUESTED], target=Status.REFUSED
    )
    def refuse(self, *, by, at: datetime, reason: str) -> None:
        self.reviewed_by = by
        self.reviewed_at = at
        self.review_reason = reason

    @transition(
        field=status,
        source=[Status.CLAIMED, Status.PENDING_REVIEW, Status.REQUESTED, Status.PROVEN],
        target=Status.REVOKED,
    )
    def revoke(self, *, by, at: datetime, reason: str) -> None:
        self.revoked_by = by
        self.revoked_at = at
        self.revoke_reason = reason
