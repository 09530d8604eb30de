"""The commitment domain: who commits (subjects), who verifies (departments and their
regulators), what is committed to (versioned templates) and the commitments themselves.

Lifecycle state lives in protected FSM fields and changes only through the transition
methods below, called from ``services``; every change is kept by django-simple-history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from .identifiers import IdentifierKind, mask_resident_id


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class VerificationMethod(models.TextChoices):
    WRITTEN = "written", _("Written review")
    ONLINE = "online", _("Online check against shared data")
    ON_SITE = "on_site", _("On-site inspection")
    PUBLICITY = "publicity", _("Verification by publicity")


class StateModel(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """Base of models with a protected lifecycle state.

    ``full_clean()`` re-assigns every field it cleans, which a protected FSM field refuses;
    the state is validated by its transitions instead, so field cleaning skips it.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        state_fields = {f.name for f in self._meta.fields if isinstance(f, FSMField)}
        super().clean_fields(exclude=set(exclude or ()) | state_fields)


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
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SubjectRepresentative", related_name="subjects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["representatives"])

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


class SubjectRepresentative(models.Model):
    """A user entitled to act for a subject (sign its commitments, see its records)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "user"], name="representative_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject}"


class CommitmentTemplate(StateModel):
    """A versioned commitment text. Once a commitment uses a version it never changes again:
    a new wording is a new version."""

    class Kind(models.TextChoices):
        INFORM_AND_COMMIT = "inform_commit", _("Inform-and-commit approval")
        CREDIT_REPAIR = "credit_repair", _("Credit repair")
        BIDDING_PLEDGE = "bidding_pledge", _("Bidding pledge in place of a bid deposit")
        SELF_DISCIPLINE = "self_discipline", _("Industry self-discipline")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="templates")
    title = models.CharField(_("title"), max_length=200)
    # The statutory notice (告知): each part is shown to the applicant before it commits.
    notice_legal_basis = models.TextField(_("legal basis"))
    notice_conditions = models.TextField(_("conditions the applicant commits to meet"))
    notice_waived_proof = models.TextField(_("proof no longer required"))
    notice_liability = models.TextField(_("liability for a false commitment"))
    notice_verification = models.TextField(_("the authority's power to verify"))
    notice_publicity = models.TextField(_("publicity of the commitment"))
    commitment_text = models.TextField(_("text of the commitment"))
    # [{"name": "...", "label": "...", "required": true, "max_length": 200}, ...]
    fields = models.JSONField(_("fields to fill in"), default=list, blank=True)
    verification_method = models.CharField(
        _("verification method"), max_length=20, choices=VerificationMethod.choices
    )
    verification_window = models.PositiveIntegerField(_("verification window"))
    verification_window_unit = models.CharField(
        _("verification window unit"),
        max_length=20,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    publicity_days = models.PositiveIntegerField(_("publicity period in days"), default=0)
    status = FSMField(_("status"), choices=Status.choices, default=Status.DRAFT, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("commitment template")
        verbose_name_plural = _("commitment templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_unique_code_version")
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @transition(field=status, source=Status.DRAFT, target=Status.ACTIVE)
    def activate(self) -> None:
        """Open the template for applicants."""

    @transition(field=status, source=[Status.DRAFT, Status.ACTIVE], target=Status.RETIRED)
    def retire(self) -> None:
        """Close the template for new commitments; existing ones keep it."""

    @property
    def is_used(self) -> bool:
        return self.commitments.exists()

    # What an applicant read and signed: frozen once any commitment uses this version.
    WORDING_FIELDS = (
        "code",
        "version",
        "kind",
        "matter",
        "title",
        "notice_legal_basis",
        "notice_conditions",
        "notice_waived_proof",
        "notice_liability",
        "notice_verification",
        "notice_publicity",
        "commitment_text",
        "fields",
        "verification_method",
        "verification_window",
        "verification_window_unit",
        "publicity_days",
    )

    def clean(self) -> None:
        names = [f.get("name") for f in self.fields or []]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise ValidationError({"fields": _("Every field needs a unique name.")})
        if self.pk and self.is_used:
            stored = type(self).objects.filter(pk=self.pk).values(*self.wording_columns()).get()
            changed = [
                name
                for name in self.WORDING_FIELDS
                if getattr(self, self._meta.get_field(name).attname)
                != stored[self._meta.get_field(name).attname]
            ]
            if changed:
                raise ValidationError(
                    {
                        name: _("This template version is in use; publish a new version instead.")
                        for name in changed
                    }
                )

    @classmethod
    def wording_columns(cls) -> list[str]:
        return [cls._meta.get_field(name).attname for name in cls.WORDING_FIELDS]


class ObligationRule(models.Model):
    """What a commitment under a template obliges the subject to do, and by when."""

    template = models.ForeignKey(
        CommitmentTemplate, on_delete=models.CASCADE, related_name="obligation_rules"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    deadline = models.PositiveIntegerField(_("deadline after signing"))
    deadline_unit = models.CharField(
        _("deadline unit"),
        max_length=20,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("obligation rule")
        verbose_name_plural = _("obligation rules")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.template_id and self.template.is_used:
            raise ValidationError(
                _("The template version is in use; publish a new version to change obligations.")
            )


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

    @property
    def verification_due_explanation(self) -> str:
        from .calendar import explain_basis

        return explain_basis(self.verification_due_basis)


class Obligation(StateModel):
    """One obligation of a commitment with its computed deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        FULFILLED = "fulfilled", _("Fulfilled")
        BREACHED = "breached", _("Breached")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="obligations")
    rule = models.ForeignKey(ObligationRule, on_delete=models.PROTECT, related_name="obligations")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    due_basis = models.JSONField(_("how the due date was computed"), editable=False)
    status = FSMField(_("status"), choices=Status.choices, default=Status.PENDING, protected=True)
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
        from .calendar import explain_basis

        return explain_basis(self.due_basis)

    @transition(field=status, source=Status.PENDING, target=Status.FULFILLED)
    def fulfil(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.BREACHED)
    def breach(self) -> None:
        pass


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
