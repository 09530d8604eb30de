"""A commitment's life: the commitment itself, the regulator's finding and how it was
established, the public register's events and signing requests waiting for a retry.

A ``Commitment`` is one signed promise; a ``Verification`` is the regulator's finding (fulfilled
or breached); ``VerificationDetail`` and ``VerificationEvidence`` say how it was established.
Evidence files are stored once under a content-addressed name (their SHA-256) in the default
storage, so the same photo uploaded twice is kept once and a stored file can be checked against
its recorded digest.

A ``RegistryEvent`` is one registry event (signed, verified, breached, ...) as appended to
the transparency log (``signing.register``): the log holds only a salted hash; the event,
its salt and the leaf index stay here, so the subject can be given a receipt that reveals
them and anyone can check it against a signed checkpoint.

A ``SigningRequest`` keeps a commitment whose signature could not be completed yet (the
timestamp authority did not answer) or that was signed elsewhere and uploaded, until the
background task has finished the signing and started the verification.

An ``IssuedForm`` records each unsigned form downloaded to be signed elsewhere (its SHA-256,
length, day and language): an upload is accepted only over one of them (ADR 0039).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from commitments.catalogue.models import (
    CommitmentTemplate,
    StateModel,
    VerificationMethod,
    field_label,
)
from directory.calendar import basis_announced_due_date, basis_is_provisional, explain_basis
from directory.history import HistoricalRecords
from directory.models import Department, Region, Subject
from directory.states import StateField

# The reason recorded for a withdrawal when the applicant gives none (not the applicant's words).
WITHDRAWN_BY_DEFAULT = "withdrawn by the applicant"


class Commitment(StateModel):
    """One signed promise by one subject under one template version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        UNDER_VERIFICATION = "under_verification", _("Under verification")
        FULFILLED = "fulfilled", _("Verified: fulfilled")
        BREACHED = "breached", _("Verified: breached")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXEMPT = "exempt", _("Exempt from verification")

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
    status = StateField(_("status"), choices=Status.choices, default=Status.DRAFT, protected=True)
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
    # A kind published on the portal (a voluntary public commitment) until the end of this day.
    published_until = models.DateField(_("published until"), null=True, blank=True)
    # A withdrawal (before the decision): who, when and why; the history keeps the states.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
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
            # Fulfilment figures: the commitments decided in a period, by status.
            models.Index(fields=["status", "decided_at"], name="commitment_status_decided"),
            models.Index(fields=["published_until"], name="commitment_published_until"),
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

    @transition(field=status, source=Status.UNDER_VERIFICATION, target=Status.EXEMPT)
    def close_exempt(self, *, at) -> None:
        """The window closed on an exempt commitment nobody drew for a spot check."""
        self.decided_at = at

    @transition(
        field=status,
        source=[Status.DRAFT, Status.SIGNED, Status.UNDER_VERIFICATION],
        target=Status.WITHDRAWN,
    )
    def withdraw(self, *, at=None, by=None, reason: str = "") -> None:
        """An applicant may drop a draft, or withdraw a signed commitment before the decision,
        and fall back to the ordinary procedure (proof up front)."""
        self.withdrawn_at = at
        self.withdrawn_by = by
        self.withdrawal_reason = reason
        self.published_until = None

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def field_rows(self) -> list[tuple[str, str]]:
        """(label, value) in the template's order.

        PostgreSQL's jsonb does not keep key order, and the signed document must render the
        same on every database, so the order comes from the template, never from the dict.
        """
        values = self.field_values or {}
        rows = [(field_label(spec), values.get(spec["name"], "")) for spec in self.template.fields]
        known = {spec["name"] for spec in self.template.fields}
        rows += [(name, values[name]) for name in sorted(values) if name not in known]
        return rows

    @property
    def verification_due_explanation(self) -> str:
        return explain_basis(self.verification_due_basis)

    @property
    def verification_due_provisional(self) -> bool:
        """The verification deadline runs through a year whose calendar is not announced."""
        return basis_is_provisional(self.verification_due_basis)

    @property
    def verification_due_under_review(self) -> datetime.date | None:
        """The announced calendar's day for the verification deadline, if it is another."""
        return basis_announced_due_date(self.verification_due_basis)


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


class VerificationExemption(StateModel):
    """A commitment exempt from verification under its matter's rule (grade A subjects).

    Recorded when the verification opens: which rule, the grade the credit record gave, by
    whom (the platform) and when. While ``OPEN`` it may still be drawn for an on-site spot
    check if the rule says so; drawn, it is verified like any other (``DRAWN``); otherwise
    the commitment is closed as exempt when its verification window ends (``CLOSED``). The
    applicant's withdrawal before the decision ends it too (``WITHDRAWN``): who, when, from
    which state and why are kept on the row.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Exempt: may still be drawn for a spot check")
        DRAWN = "drawn", _("Drawn for an on-site spot check")
        CLOSED = "closed", _("Closed as exempt")
        WITHDRAWN = "withdrawn", _("Ended: the commitment was withdrawn")

    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, related_name="exemption"
    )
    rule = models.ForeignKey(
        "commitments.ExemptionRule", on_delete=models.PROTECT, related_name="exemptions"
    )
    grade = models.CharField(_("risk grade"), max_length=1)
    spot_checks_drawn = models.BooleanField(_("may still be drawn for a spot check"))
    status = StateField(_("status"), choices=Status.choices, default=Status.OPEN, protected=True)
    reason = models.TextField(_("reason"))
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exempted_at = models.DateTimeField(_("exempted"))
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    draw_number = models.PositiveIntegerField(_("spot-check draw"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_from = models.CharField(
        _("state before the withdrawal"), max_length=20, choices=Status.choices, blank=True
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exemption from verification")
        verbose_name_plural = _("exemptions from verification")

    def __str__(self) -> str:
        return f"{self.commitment}: {self.get_status_display()}"

    @transition(field=status, source=Status.OPEN, target=Status.DRAWN)
    def draw(self, *, at, draw_number: int) -> None:
        self.drawn_at = at
        self.draw_number = draw_number

    @transition(field=status, source=Status.OPEN, target=Status.CLOSED)
    def close(self, *, at) -> None:
        self.closed_at = at

    @transition(field=status, source=[Status.OPEN, Status.DRAWN], target=Status.WITHDRAWN)
    def withdraw(self, *, at, by, reason: str) -> None:
        """The applicant withdrew the commitment before the decision."""
        self.withdrawn_from = self.status
        self.withdrawn_at = at
        self.withdrawn_by = by
        self.withdrawal_reason = reason


class VerificationDetail(models.Model):
    """How the finding was established: what was checked and, on site, where, when and by whom."""

    verification = models.OneToOneField(
        Verification, on_delete=models.PROTECT, related_name="detail"
    )
    evidence_summary = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_(
            "What was checked: the documents read, the shared data source queried, the "
            "publicity notice, or what was seen on site."
        ),
    )
    inspected_on = models.DateField(_("inspection date"), null=True, blank=True)
    inspection_location = models.CharField(_("inspection location"), max_length=300, blank=True)
    inspectors = models.CharField(_("inspectors"), max_length=300, blank=True)
    is_spot_check = models.BooleanField(_("drawn for an on-site spot check"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification detail")
        verbose_name_plural = _("verification details")

    def __str__(self) -> str:
        return str(self.verification)


class VerificationEvidence(models.Model):
    """One file kept as evidence of a verification (photo, scanned record, PDF)."""

    verification = models.ForeignKey(
        Verification, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("original file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["verification", "pk"]
        verbose_name = _("verification evidence")
        verbose_name_plural = _("verification evidence")

    def __str__(self) -> str:
        return self.original_name


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
        return f"{self.leaf_index} {self.get_event_type_display()}"


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
    status = StateField(_("status"), choices=Status.choices, default=Status.PENDING, protected=True)
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


class IssuedForm(models.Model):
    """An unsigned form issued to be signed elsewhere: an upload must be one of these plus a
    signature, so the check never depends on what the renderer writes today.

    Editing the draft supersedes every form issued before (``superseded_at``): a form that
    no longer says what the commitment says is never accepted, however recently issued.
    """

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="issued_forms"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    # The day the form's deadlines were computed for (the signing date if it is uploaded).
    rendered_on = models.DateField(_("rendered for"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(_("superseded by an edit"), null=True, blank=True)

    class Meta:
        verbose_name = _("issued form")
        verbose_name_plural = _("issued forms")
        constraints = [
            # Once per distinct bytes while current; the same bytes issued again after an
            # edit and its reversal are a new issue.
            models.UniqueConstraint(
                fields=["commitment", "sha256"],
                condition=models.Q(superseded_at__isnull=True),
                name="issued_form_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.rendered_on} {self.language}"
