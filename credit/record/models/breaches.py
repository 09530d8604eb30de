"""The record itself: breaches (each naming its source by a typed reference), the measures
applied because of them and the subjects on red and black lists.

Subjects and departments come from the directory; what a breach was found in (a commitment,
an obligation, a pledge, a penalty decision) is named by kind and number only, since the
record sits below the apps that feed it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, transition

from credit.record.models.base import CreditStateModel, Severity
from credit.record.models.rules import BreachCategory, CreditList, MeasureType, RuleSet
from directory.history import HistoricalRecords
from directory.states import StateField


class BreachSourceKind(models.TextChoices):
    """What a breach was found in."""

    COMMITMENT = "commitment", _("Commitment")
    OBLIGATION = "obligation", _("Obligation of a commitment")
    PLEDGE = "pledge", _("Bidding pledge")
    PENALTY_DECISION = "penalty_decision", _("Administrative penalty decision")


def legal_basis_shown(category: BreachCategory, legal_basis: str) -> str:
    """A breach's ``legal_basis`` as shown: in the reader's language when it is the
    category's (ADR 0015); a basis the regulator wrote for this breach as written."""
    bases = {category.legal_basis_zh_hans, category.legal_basis_en, category.legal_basis}
    return category.legal_basis if legal_basis in bases else legal_basis


class Breach(CreditStateModel):
    """One breach in a subject's credit record, with the publicity that follows from it."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        PUBLISHED = "published", _("Published")
        PUBLICATION_ENDED = "publication_ended", _("Publication ended")
        UNDER_OBJECTION = "under_objection", _("Under objection")
        REPAIRED = "repaired", _("Repaired")
        REVOKED = "revoked", _("Revoked")

    # Breaches that still weigh on the subject (grade, thresholds).
    COUNTING = (
        Status.RECORDED,
        Status.PUBLISHED,
        Status.PUBLICATION_ENDED,
        Status.UNDER_OBJECTION,
    )

    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="credit_breaches"
    )
    # What was breached, as a typed reference rather than a foreign key: the credit record
    # sits below the commitments, pledges and decisions that feed it, and knows none of them.
    source_kind = models.CharField(
        _("source"), max_length=20, choices=BreachSourceKind.choices, blank=True
    )
    source_id = models.PositiveBigIntegerField(_("source number"), null=True, blank=True)
    source_reference = models.CharField(_("source reference"), max_length=64, blank=True)
    department = models.ForeignKey(
        "directory.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("designating department"),
    )
    category = models.ForeignKey(BreachCategory, on_delete=models.PROTECT, related_name="breaches")
    legal_basis = models.TextField(_("legal basis"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="breaches")
    record_date = models.DateField(_("record date"))
    is_publishable = models.BooleanField(_("published under the rule set"))
    publicity_starts = models.DateField(_("publicity starts"), null=True, blank=True)
    publicity_min_until = models.DateField(_("minimum publicity until"))
    publicity_max_until = models.DateField(_("publicity ends at the latest"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    status = StateField(
        _("status"), choices=Status.choices, default=Status.RECORDED, protected=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-record_date", "-pk"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        indexes = [
            models.Index(fields=["subject", "status"]),
            models.Index(fields=["status", "publicity_max_until"]),
            # The officers' breach list: one department's records in each offered order.
            models.Index(fields=["department", "record_date", "id"], name="breach_dept_recorded"),
            models.Index(
                fields=["department", "publicity_max_until", "id"], name="breach_dept_publicity"
            ),
            models.Index(
                fields=["department", "publicity_min_until", "id"], name="breach_dept_repair"
            ),
        ]
        constraints = [
            # One breach per source (a missed obligation, a false commitment, a pledge): a
            # retried sweep or finding can never record the same breach twice.
            models.UniqueConstraint(
                fields=["source_kind", "source_id"],
                condition=Q(source_id__isnull=False),
                name="breach_unique_source",
            ),
            models.CheckConstraint(
                condition=Q(source_kind="", source_id__isnull=True)
                | (~Q(source_kind="") & Q(source_id__isnull=False)),
                name="breach_source_kind_with_id",
            ),
            models.CheckConstraint(
                condition=Q(publicity_min_until__lte=models.F("publicity_max_until")),
                name="breach_publicity_min_not_after_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} ({self.get_severity_display()}, {self.record_date})"

    @property
    def legal_basis_display(self) -> str:
        """The legal basis in the reader's language when it is the category's (ADR 0015); a
        basis the regulator wrote for this breach is shown as written."""
        return legal_basis_shown(self.category, self.legal_basis)

    @transition(field=status, source=Status.RECORDED, target=Status.PUBLISHED)
    def publish(self) -> None:
        """Start publication (only a publishable record reaches this)."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.PUBLICATION_ENDED)
    def end_publication(self) -> None:
        """Stop publication at the maximum period."""

    # Repair and objection (credit.record.services.repair, driven by workflows.repair).
    LIVE = (Status.RECORDED, Status.PUBLISHED, Status.PUBLICATION_ENDED)

    @transition(field=status, source=LIVE, target=Status.UNDER_OBJECTION)
    def mark_under_objection(self) -> None:
        """An objection is open: the record is marked and not published meanwhile."""

    @transition(
        field=status,
        source=Status.UNDER_OBJECTION,
        target=RETURN_VALUE(*LIVE),
    )
    def clear_objection(self, *, back_to: str) -> str:
        """The objection was rejected: the record goes back to where it was."""
        return back_to

    @transition(field=status, source=(*LIVE, Status.UNDER_OBJECTION), target=Status.REPAIRED)
    def repair(self) -> None:
        """Repaired: publication and sharing stop."""

    @transition(field=status, source=(*LIVE, Status.UNDER_OBJECTION), target=Status.REVOKED)
    def revoke(self) -> None:
        """Revoked on an objection: the record leaves publication."""

    def is_public_on(self, on: date) -> bool:
        """Whether the public may see this record on a day."""
        return (
            self.is_publishable
            and self.status in (self.Status.RECORDED, self.Status.PUBLISHED)
            and self.publicity_starts is not None
            and self.publicity_starts <= on < self.publicity_max_until
        )


class Measure(CreditStateModel):
    """A measure from the catalogue applied to a subject because of a breach."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        LIFTED = "lifted", _("Lifted on repair")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="credit_measures"
    )
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="measures")
    measure_type = models.ForeignKey(MeasureType, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("points deducted"), default=0)
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    status = StateField(_("status"), choices=Status.choices, default=Status.ACTIVE, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [models.Index(fields=["subject", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "measure_type"], name="measure_unique_breach_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_type} ← {self.breach_id}"

    @transition(field=status, source=Status.ACTIVE, target=Status.LIFTED)
    def lift(self, *, on: date) -> None:
        self.ended_on = on

    @transition(field=status, source=Status.ACTIVE, target=Status.EXPIRED)
    def expire(self, *, on: date) -> None:
        self.ended_on = on

    def is_in_force(self, on: date) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.starts_on <= on
            and (self.ends_on is None or on < self.ends_on)
        )


class ListEntry(CreditStateModel):
    """A subject on a list: black-listing starts with a prior notice, then the designation."""

    class Status(models.TextChoices):
        NOTICED = "noticed", _("Prior notice sent")
        LISTED = "listed", _("Listed")
        EXITED = "exited", _("Exited")
        REVOKED = "revoked", _("Revoked")

    OPEN = (Status.NOTICED, Status.LISTED)

    credit_list = models.ForeignKey(CreditList, on_delete=models.PROTECT, related_name="entries")
    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="credit_list_entries"
    )
    breach = models.ForeignKey(
        Breach, null=True, blank=True, on_delete=models.PROTECT, related_name="list_entries"
    )
    reason = models.TextField(_("reason"))
    prior_notice_sent_at = models.DateTimeField(_("prior notice sent"), null=True, blank=True)
    enter_not_before = models.DateField(_("designation not before"), null=True, blank=True)
    entered_on = models.DateField(_("entered"), null=True, blank=True)
    exit_not_before = models.DateField(_("exit not before"), null=True, blank=True)
    exited_on = models.DateField(_("exited"), null=True, blank=True)
    status = StateField(_("status"), choices=Status.choices, default=Status.NOTICED, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [
            models.Index(fields=["subject", "status"]),
            models.Index(fields=["status", "enter_not_before"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_list", "subject"],
                condition=Q(status__in=["noticed", "listed"]),
                name="list_entry_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=~Q(status="listed") | Q(entered_on__isnull=False),
                name="list_entry_listed_has_entry_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} @ {self.credit_list}"

    @transition(field=status, source=Status.NOTICED, target=Status.LISTED)
    def enter(self, *, on: date, exit_not_before: date | None) -> None:
        self.entered_on = on
        self.exit_not_before = exit_not_before

    @transition(field=status, source=[Status.NOTICED, Status.LISTED], target=Status.EXITED)
    def leave(self, *, on: date) -> None:
        self.exited_on = on
