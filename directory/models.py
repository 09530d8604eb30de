"""Who and where: the kernel every domain app stands on.

Regions and the departments that govern them, the matters they decide and who is competent
for which (including routing held as data), the regulators' seats, the subjects that commit
(companies by unified social credit code, persons by resident ID), the users entitled to act
for them (``directory.representation``), and the corrections of the official working-day
calendar. This app imports no domain app; every domain app may import it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.history import HistoricalRecords
from directory.identifiers import IdentifierKind, mask_resident_id
from directory.partitions.models import PartitionEvent, RetentionPeriod  # noqa: F401
from directory.representation.models import Representation  # noqa: F401  (registers it)


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class Region(models.Model):
    """An administrative division (GB/T 2260), e.g. 440300 Shenzhen."""

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def lineage(self) -> list[Region]:
        """This region and its ancestors, nearest first (used to find the competent body)."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class Department(models.Model):
    """A regulating authority, e.g. a district's market regulation bureau."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    """An administrative matter decided on a commitment, e.g. a food-business permit."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self) -> str:
        return self.name


class Competence(models.Model):
    """Which department is competent for a matter in a region (routing held as data)."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="competences")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="competences")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="competences")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "region"], name="competence_unique_matter_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter} / {self.region} → {self.department}"


class RegulatorMembership(models.Model):
    """A user's seat in a department: a regulator works its queue, a supervisor oversees it."""

    class Role(models.TextChoices):
        REGULATOR = "regulator", _("Regulator")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="regulator_memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REGULATOR)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regulator membership")
        verbose_name_plural = _("regulator memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="membership_unique_user_department"
            )
        ]
        indexes = [models.Index(fields=["department", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department} ({self.get_role_display()})"


class RoutingRule(models.Model):
    """Where a matter's commitments go and who may verify them: routing held as data.

    A rule applies to commitments on its matter from its region or any region below it,
    optionally only when a filled-in field has a given value. The matching rule with the
    highest priority wins (ties: the nearer region, then a rule with a field condition);
    with no matching rule, ``Competence`` decides the department as before. An empty list
    of eligible regulators means every regulator of the department may verify.
    """

    name = models.CharField(_("name"), max_length=200)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="routing_rules")
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="routing_rules",
        help_text=_("The rule also applies to the regions below this one."),
    )
    field_name = models.SlugField(
        _("field name"),
        max_length=50,
        blank=True,
        help_text=_("Optional: apply only when this filled-in field has the value below."),
    )
    field_value = models.CharField(_("field value"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="routing_rules"
    )
    eligible_regulators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("regulators who may verify"),
        help_text=_("Leave empty to let every regulator of the department verify."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("The matching rule with the highest value wins.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[eligible_regulators])

    class Meta:
        ordering = ["matter", "-priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        indexes = [models.Index(fields=["matter", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if bool(self.field_name) != bool(self.field_value):
            raise ValidationError(
                {"field_value": _("Give both the field name and its value, or neither.")}
            )

    def matches(self, field_values: dict) -> bool:
        """Whether the commitment's filled-in fields satisfy the rule's field condition."""
        if not self.field_name:
            return True
        value = str((field_values or {}).get(self.field_name, "")).strip()
        return value == self.field_value.strip()


class Subject(models.Model):
    """A company (unified social credit code) or a person (resident ID) that makes commitments."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company or organisation")
        PERSON = "person", _("Natural person")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("identifier"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="subjects"
    )
    checksum_override_reason = models.TextField(_("checksum override reason"), blank=True)
    checksum_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self) -> str:
        return f"{self.name} ({self.display_code})"

    @property
    def identifier_kind(self) -> IdentifierKind:
        return IdentifierKind.USCC if self.kind == self.Kind.COMPANY else IdentifierKind.RESIDENT_ID

    @property
    def display_code(self) -> str:
        """The code as lists may show it: a resident ID is personal data and stays masked."""
        return self.code if self.kind == self.Kind.COMPANY else mask_resident_id(self.code)


class ExternalIdentity(models.Model):
    """A user's account at an identity provider: the provider (issuer) and its "sub" for them.

    A login through the provider finds its user by this pair only, never by an e-mail
    address or a name the provider sends: those can change hands, the pair cannot.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject_identifier = models.CharField(_("subject identifier at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked at"))
    last_login_at = models.DateTimeField(_("last login at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["issuer", "subject_identifier"]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject_identifier"], name="external_identity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_identifier} @ {self.issuer} → {self.user}"


class WorkingDayOverride(models.Model):
    """An administrator's correction of the official calendar (next year's announcement)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date}: {self.note}"


class CalendarYear(models.Model):
    """The State Council's announcement of a year's holiday arrangement, entered by an
    administrator: from then on the year's deadlines are no longer provisional.

    Years whose arrangement the ``holidays`` package already carries need no row. Enter the
    year's ``WorkingDayOverride`` rows (make-up working days, extra days off) first, then this.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    announcement = models.CharField(
        _("announcement"),
        max_length=200,
        help_text=_("The notice that set the arrangement, e.g. its title and document number."),
    )
    announced_on = models.DateField(_("announced on"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("announced calendar year")
        verbose_name_plural = _("announced calendar years")

    def __str__(self) -> str:
        return f"{self.year}: {self.announcement}"
