"""The commitments themselves and the regulators' findings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from commitments.models.base import StateModel, VerificationMethod
from commitments.models.templates import CommitmentTemplate
from directory.models import Department, Region, Subject


class Commitment(StateModel):
    """One signed promise by one subject under one template version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        UNDER_VERIFICATION = "under_verification", _("Under verification")
        FULFILLED = "fulfilled", _("Verified: fulfilled")
        BREACHED = "breached", _("Verified: breached")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    template = models.ForeignKey(
        CommitmentTemplate, on_delete=models.PROTECT, related_name="commitments"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="commitments")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="commitments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    field_values = models.JSONField(_("filled-in fields"), default=dict, blank=True)
    status = FSMField(_("status"), choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_document = models.ForeignKey(
        "signing.SignedDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    verification_due_at = models.DateTimeField(_("verification due"), null=True, blank=True)
    verification_due_basis = models.JSONField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The verification process (viewflow); the domain holds the legal status, the flow the work.
    process = models.OneToOneField(
        "viewflow.Process",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitment",
    )
    history = HistoricalRecords(excluded_fields=["process"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            models.Index(fields=["subject", "-created_at"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "verification_due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="withdrawn", signed_at__isnull=True)
                | Q(signed_at__isnull=False, signed_document__isnull=False),
                name="commitment_signed_has_document",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(field=status, source=Status.DRAFT, target=Status.SIGNED)
    def sign(self, *, at, by, document) -> None:
        self.signed_at = at
        self.signed_by = by
        self.signed_document = document

    @transition(field=status, source=Status.SIGNED, target=Status.UNDER_VERIFICATION)
    def open_verification(self, *, department, due_at, due_basis: dict) -> None:
        self.department = department
        self.verification_due_at = due_at
        self.verification_due_basis = due_basis

    @transition(field=status, source=Status.UNDER_VERIFICATION, target=Status.FULFILLED)
    def confirm_fulfilled(self, *, at) -> None:
        self.decided_at = at

    @transition(field=status, source=Status.UNDER_VERIFICATION, target=Status.BREACHED)
    def confirm_breached(self, *, at) -> None:
        self.decided_at = at

    @transition(field=status, source=Status.DRAFT, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """An applicant may drop a draft and fall back to the ordinary procedure."""

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def field_rows(self) -> list[tuple[str, str]]:
        """(label, value) in the template's order.

        PostgreSQL's jsonb does not keep key order, and the signed document must render the
        same on every database, so the order comes from the template, never from the dict.
        """
        values = self.field_values or {}
        rows = [
            (spec.get("label") or spec["name"], values.get(spec["name"], ""))
            for spec in self.template.fields
        ]
        known = {spec["name"] for spec in self.template.fields}
        rows += [(name, values[name]) for name in sorted(values) if name not in known]
        return rows

    @property
    def verification_due_explanation(self) -> str:
        from directory.calendar import explain_basis

        return explain_basis(self.verification_due_basis)


class Verification(models.Model):
    """A regulator's finding on a commitment: fulfilled, or breached with the reason."""

    class Finding(models.TextChoices):
        FULFILLED = "fulfilled", _("Fulfilled: the commitment is true")
        BREACHED = "breached", _("Breached: the commitment is false or unmet")

    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, related_name="verification"
    )
    regulator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=20, choices=VerificationMethod.choices)
    finding = models.CharField(_("finding"), max_length=20, choices=Finding.choices)
    reason = models.TextField(_("reason"), blank=True)
    verified_at = models.DateTimeField(_("verified"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.commitment}: {self.get_finding_display()}"

    def clean(self) -> None:
        if self.finding == self.Finding.BREACHED and not (self.reason or "").strip():
            raise ValidationError({"reason": _("A breach needs its reason.")})
