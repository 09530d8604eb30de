"""The rules of the credit record, held as data an administrator edits (with history).

- Rule sets (``RuleSet``) and their publicity rules (``PublicityRule``) decide whether and for
  how long a breach is published, by the rule set in force on the record date.
- Breach categories (``BreachCategory``) carry the legal basis and the rule-set domain.
- The consequence catalogue (``MeasureType`` and ``ConsequenceRule``) says which measures
  follow from a breach.
- Red and black lists (``CreditList``) with their criteria and thresholds.
- Risk grades from ``GradeRule`` thresholds.
- Whether and how often a category may be repaired (``RepairRule``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credit.record.models.base import PublicityGroup, Purpose, RuleDomain, Severity
from directory.history import HistoricalRecords


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
    group = models.SlugField(
        _("publicity group"), max_length=50, blank=True, choices=PublicityGroup.choices
    )
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
        return (
            f"{self.rule_set.code} {self.get_severity_display()} {self.get_group_display()}".strip()
        )


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
    publicity_group = models.SlugField(
        _("publicity group"), max_length=50, blank=True, choices=PublicityGroup.choices
    )
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
        return f"{self.get_severity_display()} → {self.measure_type}"


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
        return _("%(grade)s (from %(day)s)") % {"grade": self.grade, "day": self.effective_from}

    def admits(self, *, points: int, breaches: int, serious: int, blacklisted: bool) -> bool:
        return (
            (self.max_points is None or points <= self.max_points)
            and (self.max_breaches is None or breaches <= self.max_breaches)
            and (self.max_serious_breaches is None or serious <= self.max_serious_breaches)
            and (self.allows_black_list or not blacklisted)
        )


class RepairRule(models.Model):
    """Whether breaches of a category may be repaired, and how often a subject may repair.

    The rule of a category takes precedence over the rule without a category (the default).
    """

    category = models.OneToOneField(
        BreachCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="repair_rule",
        help_text=_("Empty: the default for every category."),
    )
    is_repairable = models.BooleanField(_("may be repaired"), default=True)
    max_repairs = models.PositiveSmallIntegerField(
        _("at most repairs granted in the period"), null=True, blank=True
    )
    period_months = models.PositiveSmallIntegerField(
        _("period of the frequency limit in months"), default=12
    )
    legal_basis = models.TextField(_("legal basis"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repair rule")
        verbose_name_plural = _("repair rules")
        constraints = [
            models.UniqueConstraint(
                fields=["is_repairable"],
                condition=Q(category__isnull=True),
                name="repair_rule_one_default",
            )
        ]

    def __str__(self) -> str:
        return str(self.category or _("default"))
