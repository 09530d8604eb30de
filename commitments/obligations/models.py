"""Obligations of signed commitments and following them through: the warning ladder,
deadline extensions and performance reports.

Each obligation has its computed due date and a protected status. The ladder is data per
template (``WarningStep`` rows and one ``WarningPolicy``); at signing and at every extension
each step becomes a ``WarningSchedule`` row with the instant it is due, so the sweep reads
only the rows that are due, through a partial index.

The models belong to the ``commitments`` Django app (``commitments.models`` imports them so
Django registers them); their tables keep the app's names.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from commitments.catalogue.models import CommitmentTemplate, ObligationRule, StateModel
from commitments.lifecycle.models import Commitment
from directory.calendar import basis_announced_due_date, basis_is_provisional, explain_basis
from directory.history import HistoricalRecords
from directory.models import DeadlineUnit
from directory.states import StateField

WARNING_CHANNELS = ("email", "sms", "inapp")


class Obligation(StateModel):
    """One obligation of a commitment with its computed deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        FULFILLED = "fulfilled", _("Fulfilled")
        BREACHED = "breached", _("Breached")
        CLOSED = "closed", _("Closed by the commitment's breach")
        WITHDRAWN = "withdrawn", _("Withdrawn with the commitment")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="obligations")
    rule = models.ForeignKey(ObligationRule, on_delete=models.PROTECT, related_name="obligations")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    due_basis = models.JSONField(_("how the due date was computed"), editable=False)
    status = StateField(_("status"), choices=Status.choices, default=Status.PENDING, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def due_explanation(self) -> str:
        return explain_basis(self.due_basis)

    @property
    def due_provisional(self) -> bool:
        """The due date runs through a year whose calendar is not announced yet."""
        return basis_is_provisional(self.due_basis)

    @property
    def due_under_review(self) -> datetime.date | None:
        """The announced calendar's day for this count, if it is not the stated due date."""
        return basis_announced_due_date(self.due_basis)

    @transition(field=status, source=Status.PENDING, target=Status.FULFILLED)
    def fulfil(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.BREACHED)
    def breach(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.CLOSED)
    def close(self) -> None:
        """The commitment itself was found breached: nothing is owed under it any more."""

    @transition(field=status, source=Status.PENDING, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """The commitment was withdrawn before the decision: nothing is owed under it."""


class BreachSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class WarningPolicy(models.Model):
    """What happens after an obligation's due date under a template: the grace period, and
    the breach recorded when it passes without performance."""

    template = models.OneToOneField(
        CommitmentTemplate, on_delete=models.CASCADE, related_name="warning_policy"
    )
    grace_period = models.PositiveIntegerField(_("grace period after the due date"), default=5)
    grace_unit = models.CharField(
        _("grace period unit"),
        max_length=20,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    records_breach = models.BooleanField(
        _("record a breach when the grace period passes"), default=True
    )
    breach_severity = models.CharField(
        _("severity of the breach"),
        max_length=10,
        choices=BreachSeverity.choices,
        default=BreachSeverity.GENERAL,
    )
    breach_category_code = models.CharField(
        _("breach category (catalogue code)"), max_length=50, default="missed_obligation"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warning policy")
        verbose_name_plural = _("warning policies")

    def __str__(self) -> str:
        return f"{self.template}: +{self.grace_period} {self.get_grace_unit_display()}"


class WarningStep(models.Model):
    """One rung of a template's warning ladder: when, to whom, on which channels."""

    class Relative(models.TextChoices):
        BEFORE = "before", _("before the due date")
        AT = "at", _("on the due date")
        AFTER = "after", _("after the due date")

    class Audience(models.TextChoices):
        APPLICANT = "applicant", _("the applicant")
        REGULATOR = "regulator", _("the responsible regulator")

    template = models.ForeignKey(
        CommitmentTemplate, on_delete=models.CASCADE, related_name="warning_steps"
    )
    offset = models.PositiveIntegerField(_("offset"), default=0)
    unit = models.CharField(
        _("unit"), max_length=20, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    relative = models.CharField(_("relative to the due date"), max_length=10, choices=Relative)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience)
    channels = models.JSONField(_("channels"), default=list)
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "pk"]
        verbose_name = _("warning step")
        verbose_name_plural = _("warning steps")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "relative", "offset", "unit", "audience"],
                name="warning_step_unique",
            )
        ]

    def __str__(self) -> str:
        if self.relative == self.Relative.AT:
            return f"{self.get_audience_display()}: {self.get_relative_display()}"
        return (
            f"{self.get_audience_display()}: {self.offset} {self.get_unit_display()} "
            f"{self.get_relative_display()}"
        )

    def clean(self) -> None:
        errors = {}
        if self.relative == self.Relative.AT and self.offset:
            errors["offset"] = _("A warning on the due date has no offset.")
        if self.relative != self.Relative.AT and not self.offset:
            errors["offset"] = _("Give the number of days before or after the due date.")
        channels = self.channels or []
        if not channels or any(c not in WARNING_CHANNELS for c in channels):
            errors["channels"] = _(
                "Choose channels among e-mail, SMS and the in-application inbox."
            )
        if errors:
            raise ValidationError(errors)


class WarningSchedule(models.Model):
    """A ladder step (or the breach at the end of the grace period) of one obligation, with
    the instant it falls due. The sweep claims due ``pending`` rows and settles each once."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach after the grace period")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        HELD = "held", _("Held: performance report under review")
        REFUSED = "refused", _("Refused")

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="warning_schedule"
    )
    step = models.ForeignKey(
        WarningStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("scheduled warning")
        verbose_name_plural = _("scheduled warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "step"],
                condition=Q(step__isnull=False),
                name="warning_schedule_step_once",
            ),
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(kind="breach"),
                name="warning_schedule_breach_once",
            ),
        ]
        indexes = [
            # The sweep's query: pending rows by due instant. Settled rows leave the index,
            # so its size follows what is still to come, not everything ever stored.
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="warning_schedule_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id}/{self.step_id or 'breach'} @ {self.due_at:%Y-%m-%d %H:%M}"


class DeadlineExtension(models.Model):
    """An officer's extension of a deadline: what it was, what it became, who and why."""

    class Kind(models.TextChoices):
        OBLIGATION = "obligation", _("Obligation deadline")
        VERIFICATION = "verification", _("Verification deadline")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="deadline_extensions"
    )
    obligation = models.ForeignKey(
        Obligation, null=True, blank=True, on_delete=models.CASCADE, related_name="extensions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    previous_due = models.DateField(_("previous due date"))
    new_due = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(_("extended"))

    class Meta:
        ordering = ["extended_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.previous_due} → {self.new_due}"


class PerformanceReport(StateModel):
    """The applicant's report that an obligation was performed, with evidence, for review."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="performance_reports"
    )
    text = models.TextField(_("what was done"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    status = StateField(
        _("status"), choices=Status.choices, default=Status.SUBMITTED, protected=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("performance report")
        verbose_name_plural = _("performance reports")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(status="submitted"),
                name="performance_report_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.obligation}: {self.get_status_display()}"

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED)
    def accept(self, *, by, at, note: str = "") -> None:
        self.decided_by, self.decided_at, self.decision_note = by, at, note

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self, *, by, at, note: str) -> None:
        self.decided_by, self.decided_at, self.decision_note = by, at, note


class PerformanceEvidence(models.Model):
    """One evidence file of a report, stored once under its SHA-256 in the default storage."""

    report = models.ForeignKey(PerformanceReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class ApprovalConsequence(models.Model):
    """What an accept-now-supply-later approval suffered because an item was not supplied by
    its deadline (the template's stated consequence): who recorded it, when and why."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="approval_consequences"
    )
    obligation = models.OneToOneField(
        Obligation, on_delete=models.PROTECT, related_name="approval_consequence"
    )
    consequence = models.CharField(
        _("consequence"), max_length=10, choices=CommitmentTemplate.Consequence.choices
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("consequence for the approval")
        verbose_name_plural = _("consequences for approvals")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.get_consequence_display()}"
