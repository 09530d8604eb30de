"""The credit record and the rules that govern it, held as data with effective dates.

- Rule sets (``RuleSet``) and their publicity rules (``PublicityRule``) decide whether and for
  how long a breach is published, by the rule set in force on the record date.
- Breach categories (``BreachCategory``) carry the legal basis and the rule-set domain.
- The consequence catalogue (``MeasureType`` and ``ConsequenceRule``) says which measures
  follow from a breach; ``Measure`` rows are those measures applied to a subject.
- Red and black lists (``CreditList``) with their thresholds; ``ListEntry`` is a subject on a
  list, black-listed only after a prior notice.
- Risk grades from ``GradeRule`` thresholds.
- Calling systems (``CallingSystem``) and the log of every "check every case" query
  (``CheckQuery``).

Subjects, commitments, obligations and matters belong to the commitment domain and are
referenced by string only; this app never imports it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import (
    RETURN_VALUE,
    ConcurrentTransitionMixin,
    FSMField,
    FSMModelMixin,
    transition,
)
from simple_history.models import HistoricalRecords


class CreditStateModel(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """Base of credit models with a protected lifecycle state (as ``commitments.StateModel``)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        state_fields = {f.name for f in self._meta.fields if isinstance(f, FSMField)}
        super().clean_fields(exclude=set(exclude or ()) | state_fields)


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class RuleDomain(models.TextChoices):
    """Which body of rules governs a record: the general credit rules or a sector's own."""

    GENERAL = "general", _("Social credit (general)")
    MARKET_REGULATION = "market_regulation", _("Market regulation")


class Purpose(models.TextChoices):
    """Why another system checks a subject."""

    APPROVAL = "approval", _("Administrative approval")
    BID = "bid", _("Public bidding")
    SUBSIDY = "subsidy", _("Government subsidy")


# Rules -------------------------------------------------------------------------------------


class RuleSet(models.Model):
    """A body of rules on the publicity of credit records, in force over a date range."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=30, choices=RuleDomain.choices)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    decision_working_days = models.PositiveSmallIntegerField(
        _("working days to decide on a repair"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain", "-effective_from"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        indexes = [models.Index(fields=["domain", "effective_from"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": _("A rule set cannot end before it starts.")})

    def is_in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until
        )


class PublicityRule(models.Model):
    """How long a breach of a severity is published under a rule set.

    A rule for a publicity group (e.g. safety sectors under NDRC Order 58) takes precedence
    over the rule without a group for the same severity.
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="publicity_rules")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    group = models.SlugField(_("publicity group"), max_length=50, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    min_months = models.PositiveSmallIntegerField(_("minimum publicity in months"))
    max_months = models.PositiveSmallIntegerField(_("maximum publicity in months"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule_set", "severity", "group"]
        verbose_name = _("publicity rule")
        verbose_name_plural = _("publicity rules")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "severity", "group"], name="publicity_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_months__lte=models.F("max_months")),
                name="publicity_rule_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.code} {self.severity} {self.group}".strip()


class BreachCategory(models.Model):
    """What kind of breach a record is, with its legal basis and the rules that govern it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(
        _("rule domain"), max_length=30, choices=RuleDomain.choices, default=RuleDomain.GENERAL
    )
    legal_basis = models.TextField(_("legal basis"))
    default_severity = models.CharField(
        _("default severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    publicity_group = models.SlugField(_("publicity group"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("breach category")
        verbose_name_plural = _("breach categories")

    def __str__(self) -> str:
        return self.name


class MeasureType(models.Model):
    """A consequence in the catalogue, with its legal basis and where it applies."""

    class Kind(models.TextChoices):
        NO_COMMITMENT = "no_commitment", _("Loss of commit-instead-of-prove")
        REVOKE_APPROVAL = "revoke_approval", _("Revocation of the approval")
        POINT_DEDUCTION = "point_deduction", _("Point deduction")
        JOINT_MEASURE = "joint_measure", _("Measure other departments apply")
        INCENTIVE = "incentive", _("Incentive for the trustworthy")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    legal_basis = models.TextField(_("legal basis"))
    description = models.TextField(_("description"), blank=True)
    applied_by = models.CharField(_("applied by"), max_length=200, blank=True)
    lasts_until_repaired = models.BooleanField(
        _("lasts until the record is repaired"), default=True
    )
    duration_months = models.PositiveSmallIntegerField(
        _("duration in months"), null=True, blank=True
    )
    # Empty lists mean "every purpose" / "every matter".
    purposes = models.JSONField(_("purposes it applies to"), default=list, blank=True)
    matters = models.ManyToManyField(
        "directory.Matter", blank=True, related_name="+", verbose_name=_("matters")
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[matters])

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("measure type")
        verbose_name_plural = _("measure types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(set(self.purposes or []) - set(Purpose.values))
        if unknown:
            raise ValidationError({"purposes": _("Unknown purposes: %s") % ", ".join(unknown)})


class ConsequenceRule(models.Model):
    """Which measure follows from a breach of a severity (of one category, or of any)."""

    measure_type = models.ForeignKey(
        MeasureType, on_delete=models.CASCADE, related_name="consequence_rules"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    category = models.ForeignKey(
        BreachCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consequence_rules",
        help_text=_("Empty: breaches of every category."),
    )
    points = models.PositiveSmallIntegerField(_("points deducted"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consequence rule")
        verbose_name_plural = _("consequence rules")
        indexes = [models.Index(fields=["severity"])]

    def __str__(self) -> str:
        return f"{self.severity} → {self.measure_type}"


# The record --------------------------------------------------------------------------------


class BreachSourceKind(models.TextChoices):
    """What a breach was found in."""

    COMMITMENT = "commitment", _("Commitment")
    OBLIGATION = "obligation", _("Obligation of a commitment")
    PLEDGE = "pledge", _("Bidding pledge")
    PENALTY_DECISION = "penalty_decision", _("Administrative penalty decision")


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
    status = FSMField(_("status"), choices=Status.choices, default=Status.RECORDED, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-record_date", "-pk"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        indexes = [
            models.Index(fields=["subject", "status"]),
            models.Index(fields=["status", "publicity_max_until"]),
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

    @transition(field=status, source=Status.RECORDED, target=Status.PUBLISHED)
    def publish(self) -> None:
        """Start publication (only a publishable record reaches this)."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.PUBLICATION_ENDED)
    def end_publication(self) -> None:
        """Stop publication at the maximum period."""

    # Repair and objection (credit.services_repair / credit.services_objection).
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
    status = FSMField(_("status"), choices=Status.choices, default=Status.ACTIVE, protected=True)
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


class CreditList(models.Model):
    """A red (trustworthy) or black (seriously untrustworthy) list with its criteria."""

    class Kind(models.TextChoices):
        RED = "red", _("Red list")
        BLACK = "black", _("Black list")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    legal_basis = models.TextField(_("legal basis"))
    entry_criteria = models.TextField(_("entry criteria"))
    exit_criteria = models.TextField(_("exit criteria"))
    # Black lists: designation when either threshold is reached (empty = not used).
    entry_points_threshold = models.PositiveSmallIntegerField(
        _("points deducted that lead to designation"), null=True, blank=True
    )
    entry_serious_breaches = models.PositiveSmallIntegerField(
        _("serious breaches that lead to designation"), null=True, blank=True
    )
    notice_days = models.PositiveSmallIntegerField(
        _("days of prior notice before designation"), default=0
    )
    min_listing_months = models.PositiveSmallIntegerField(
        _("minimum months on the list"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("credit list")
        verbose_name_plural = _("credit lists")

    def __str__(self) -> str:
        return self.name


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
    status = FSMField(_("status"), choices=Status.choices, default=Status.NOTICED, protected=True)
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


class GradeRule(models.Model):
    """One risk grade's thresholds; the first rule (by position) a subject meets gives its
    grade. Rules change by date: the set with the latest ``effective_from`` in force applies."""

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    effective_from = models.DateField(_("in force from"))
    position = models.PositiveSmallIntegerField(_("position"))
    max_points = models.PositiveSmallIntegerField(
        _("at most points deducted"), null=True, blank=True
    )
    max_breaches = models.PositiveSmallIntegerField(_("at most breaches"), null=True, blank=True)
    max_serious_breaches = models.PositiveSmallIntegerField(
        _("at most serious breaches"), null=True, blank=True
    )
    allows_black_list = models.BooleanField(_("possible while black-listed"), default=False)
    spot_check_ratio = models.CharField(_("spot-check ratio"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from", "position"]
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from", "position"], name="grade_rule_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade} (from {self.effective_from})"

    def admits(self, *, points: int, breaches: int, serious: int, blacklisted: bool) -> bool:
        return (
            (self.max_points is None or points <= self.max_points)
            and (self.max_breaches is None or breaches <= self.max_breaches)
            and (self.max_serious_breaches is None or serious <= self.max_serious_breaches)
            and (self.allows_black_list or not blacklisted)
        )


# Other systems -----------------------------------------------------------------------------


class CallingSystem(models.Model):
    """Another government system allowed to "check every case", acting as one API user."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    operator = models.CharField(_("operated by"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calling_system"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("calling system")
        verbose_name_plural = _("calling systems")

    def __str__(self) -> str:
        return self.name


class CheckQuery(models.Model):
    """One "check every case" query: who asked, about whom, why, when and what was answered.

    Append-only: written once by the service, never changed.
    """

    # Each key leads one of the (key, -asked_at) indexes below, which serve its lookups; a
    # second, single-column index would only cost every check another index write.
    calling_system = models.ForeignKey(
        CallingSystem, on_delete=models.PROTECT, related_name="queries", db_index=False
    )
    subject = models.ForeignKey(
        "directory.Subject",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_checks",
        db_index=False,
    )
    subject_code = models.CharField(_("identifier asked about"), max_length=32)
    matter_code = models.CharField(_("matter"), max_length=50, blank=True)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    reason = models.TextField(_("reason"))
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answer = models.JSONField(_("answer summary"), default=dict)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("check query")
        verbose_name_plural = _("check queries")
        indexes = [
            models.Index(fields=["subject", "-asked_at"]),
            models.Index(fields=["calling_system", "-asked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.calling_system_id} → {self.subject_code} ({self.asked_at:%Y-%m-%d %H:%M})"


from credit.models_repair import (  # noqa: E402,F401  (repair and objection models)
    Objection,
    RecordChangeNotice,
    RepairApplication,
    RepairProof,
    RepairRule,
)
