"""What is committed to: versioned templates and the obligations they impose.

The base of every commitments model with a protected lifecycle state (``StateModel``) and the
ways a commitment is verified (``VerificationMethod``) live here, at the bottom of the
commitments app, because templates use both and every other package of the app sits above
the catalogue.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from directory.audit import LoadedValues
from directory.compiled import CompiledQuery
from directory.history import HistoricalRecords
from directory.models import DeadlineUnit, Matter
from directory.states import StateField
from directory.updates import CompiledUpdate


class VerificationMethod(models.TextChoices):
    WRITTEN = "written", _("Written review")
    ONLINE = "online", _("Online check against shared data")
    ON_SITE = "on_site", _("On-site inspection")
    PUBLICITY = "publicity", _("Verification by publicity")


def field_label(spec: dict) -> str:
    """The label of a template's field in the active language: ``label`` is Chinese,
    ``label_en`` English (ADR 0015); the name when a template gives no label."""
    english = get_language() == "en" and spec.get("label_en")
    return english or spec.get("label") or spec["name"]


def field_rule(spec: dict) -> str:
    """What a template's field asks, in the active language: its name (the key of the
    filled-in values), whether it is required and its longest length."""
    values = {"name": spec["name"], "count": spec.get("max_length") or 0}
    if spec.get("max_length"):
        if spec.get("required"):
            return gettext("name %(name)s, required, at most %(count)d characters") % values
        return gettext("name %(name)s, optional, at most %(count)d characters") % values
    if spec.get("required"):
        return gettext("name %(name)s, required") % values
    return gettext("name %(name)s, optional") % values


class StateModel(ConcurrentTransitionMixin, FSMModelMixin, LoadedValues, CompiledUpdate):
    """Base of models with a protected lifecycle state.

    A save of an existing row sends django-fsm's ``UPDATE … WHERE pk AND state`` with its
    text compiled once (``directory.updates.CompiledUpdate``); the concurrent-transition check
    is django-fsm's own.

    ``full_clean()`` re-assigns every field it cleans, which a protected FSM field refuses;
    the state is validated by its transitions instead, so field cleaning skips it.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        state_fields = {f.name for f in self._meta.fields if isinstance(f, FSMField)}
        super().clean_fields(exclude=set(exclude or ()) | state_fields)


class CommitmentKind(models.Model):
    """A kind of commitment a city runs (GB/T 46277-2025) and its lifecycle rules, as data.

    ``code`` is one of ``CommitmentTemplate.Kind``'s values (stable: other parts of the
    system key on them); names and descriptions are in Chinese and English (ADR 0015).
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_verified = models.BooleanField(
        _("verified by the competent department after signing"), default=True
    )
    creates_obligations = models.BooleanField(
        _("its obligation rules become obligations with deadlines"), default=True
    )
    items_supplied_later = models.BooleanField(
        _("its obligations are missing items supplied after acceptance"), default=False
    )
    is_published = models.BooleanField(_("published on the public portal"), default=False)
    has_own_process = models.BooleanField(
        _("drafted and signed inside its own process"), default=False
    )
    may_withdraw_before_decision = models.BooleanField(
        _("the applicant may withdraw before the decision"), default=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("kind of commitment")
        verbose_name_plural = _("kinds of commitment")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def attach(cls, templates) -> None:
        """Give each template its kind's rules from one query (a list of commitments otherwise
        reads its kinds row by row through ``CommitmentTemplate.rules``)."""
        templates = list(templates)
        stored = {
            kind.code: kind for kind in cls.objects.filter(code__in={t.kind for t in templates})
        }
        for template in templates:
            template._kind_rules = stored.get(template.kind) or cls.of(template.kind)

    @classmethod
    def of(cls, code: str) -> CommitmentKind:
        """The stored rules of a kind; the built-in defaults when the row is missing."""
        found = _KIND_OF.models(code)
        if found:
            return found[0]
        defaults = dict(KIND_DEFAULTS.get(code, {}))
        defaults.pop("names", None)
        return cls(code=code, name=code, **defaults)


# The built-in kinds (the data migration writes them; an administrator may edit the rows).
KIND_DEFAULTS: dict[str, dict] = {
    "inform_commit": {
        "position": 1,
        "names": (("告知承诺", "Inform-and-commit"),),
    },
    "supply_later": {
        "position": 2,
        "items_supplied_later": True,
        "names": (("容缺受理", "Accept now, supply later"),),
    },
    "credit_repair": {
        "position": 3,
        "has_own_process": True,
        "is_published": True,
        "names": (("信用修复承诺", "Credit repair commitment"),),
    },
    "bidding_pledge": {
        "position": 4,
        "has_own_process": True,
        "names": (("投标承诺", "Bidding pledge"),),
    },
    "self_discipline": {
        "position": 5,
        "names": (("行业自律承诺", "Industry self-discipline"),),
    },
    "voluntary_public": {
        "position": 6,
        "is_verified": False,
        "creates_obligations": False,
        "is_published": True,
        "names": (("主动公示承诺", "Voluntary public commitment"),),
    },
}


class CommitmentTemplate(StateModel):
    """A versioned commitment text. Once a commitment uses a version it never changes again:
    a new wording is a new version."""

    class Kind(models.TextChoices):
        INFORM_AND_COMMIT = "inform_commit", _("Inform-and-commit approval")
        CREDIT_REPAIR = "credit_repair", _("Credit repair")
        BIDDING_PLEDGE = "bidding_pledge", _("Bidding pledge in place of a bid deposit")
        SELF_DISCIPLINE = "self_discipline", _("Industry self-discipline")
        SUPPLY_LATER = "supply_later", _("Accept now, supply later")
        VOLUNTARY_PUBLIC = "voluntary_public", _("Voluntary public commitment")

    class Consequence(models.TextChoices):
        """What the approval suffers when a supply-later item is not supplied in time."""

        NONE = "", _("None stated")
        SUSPEND = "suspend", _("The approval is suspended")
        REVOKE = "revoke", _("The approval is revoked")

    # Kept for readers that filter in SQL; the rows of ``CommitmentKind`` are the rules.
    KINDS_WITH_OWN_PROCESS = frozenset({Kind.CREDIT_REPAIR, Kind.BIDDING_PLEDGE})

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
    # [{"name": "...", "label": "中文", "label_en": "English", "required": true,
    #   "max_length": 200}, ...]
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
    # Accept now, supply later: what happens to the approval when an item is not supplied.
    consequence = models.CharField(
        _("consequence of an item not supplied"),
        max_length=10,
        choices=Consequence.choices,
        default=Consequence.NONE,
        blank=True,
    )
    status = StateField(_("status"), choices=Status.choices, default=Status.DRAFT, protected=True)
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

    @property
    def has_own_process(self) -> bool:
        """Repair and pledge commitments are drafted and signed inside their own process, which
        checks what the generic signing path does not (eligibility, the tender, the deadline)."""
        return self.rules.has_own_process

    @property
    def rules(self) -> CommitmentKind:
        """The lifecycle rules of this template's kind (``CommitmentKind``, data)."""
        cached = getattr(self, "_kind_rules", None)
        if cached is None or cached.code != self.kind:
            cached = CommitmentKind.of(self.kind)
            self._kind_rules = cached
        return cached

    # The texts people read, each in Chinese and English (ADR 0015; translation.py).
    TEXTS = (
        "title",
        "notice_legal_basis",
        "notice_conditions",
        "notice_waived_proof",
        "notice_liability",
        "notice_verification",
        "notice_publicity",
        "commitment_text",
    )
    # What an applicant read and signed: frozen once any commitment uses this version.
    WORDING_FIELDS = (
        "code",
        "version",
        "kind",
        "matter",
        *TEXTS,
        "fields",
        "verification_method",
        "verification_window",
        "verification_window_unit",
        "publicity_days",
        "consequence",
    )

    def clean(self) -> None:
        names = [f.get("name") for f in self.fields or []]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise ValidationError({"fields": _("Every field needs a unique name.")})
        if self.kind == self.Kind.SUPPLY_LATER and not self.consequence:
            raise ValidationError(
                {"consequence": _("Say what happens to the approval if an item is not supplied.")}
            )
        if self.kind != self.Kind.SUPPLY_LATER and self.consequence:
            raise ValidationError(
                {"consequence": _("Only an accept-now-supply-later template states a consequence.")}
            )
        if self.kind == self.Kind.VOLUNTARY_PUBLIC and not self.publicity_days:
            raise ValidationError(
                {"publicity_days": _("A voluntary public commitment is published for a term.")}
            )
        if self.pk and self.is_used:
            stored = type(self).objects.filter(pk=self.pk).values(*self.wording_columns()).get()
            changed = [
                name
                for name in self.WORDING_FIELDS
                if any(
                    getattr(self, column) != stored[column] for column in self.wording_columns(name)
                )
            ]
            if changed:
                raise ValidationError(
                    {
                        name: _("This template version is in use; publish a new version instead.")
                        for name in changed
                    }
                )

    @classmethod
    def wording_columns(cls, *names: str) -> list[str]:
        """The columns that hold the wording (of ``names``, or all): a text in both languages
        is held in one column per language (ADR 0015), and each is frozen."""
        columns = []
        for name in names or cls.WORDING_FIELDS:
            languages = [f"{name}_{code.replace('-', '_')}" for code, _label in settings.LANGUAGES]
            translated = [column for column in languages if hasattr(cls, column) and column != name]
            columns += translated or [cls._meta.get_field(name).attname]
        return columns


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


class ExemptionRule(models.Model):
    """Where a matter allows it, grade A subjects are exempt from verification (data).

    A rule names the matter and, optionally, one kind of commitment (blank: every verified
    kind of the matter), the day it is in force from (and until, if it ends) and its legal
    basis. Only grade A (the lowest risk) is ever exempt: the national rules allow no other.
    ``spot_checks_drawn`` says whether an exempt commitment still enters the on-site spot-check
    draws of its grade (the sampling policy) until its verification window closes.
    """

    EXEMPT_GRADE = "A"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="exemption_rules")
    kind = models.CharField(
        _("kind of commitment"),
        max_length=20,
        choices=CommitmentTemplate.Kind.choices,
        blank=True,
        help_text=_("Leave blank for every verified kind of the matter."),
    )
    spot_checks_drawn = models.BooleanField(
        _("exempt commitments may still be drawn for an on-site spot check"), default=True
    )
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["matter", "kind", "-effective_from"]
        verbose_name = _("exemption rule")
        verbose_name_plural = _("exemption rules")
        indexes = [
            models.Index(fields=["matter", "effective_from"], name="exemption_rule_matter_from")
        ]

    def __str__(self) -> str:
        return f"{self.matter}: {self.kind or '*'} ({self.effective_from})"

    def clean(self) -> None:
        if (
            self.effective_until
            and self.effective_from
            and self.effective_until < self.effective_from
        ):
            raise ValidationError(
                {"effective_until": _("A rule cannot end before it comes into force.")}
            )
        if self.kind and not CommitmentKind.of(self.kind).is_verified:
            raise ValidationError(
                {"kind": _("Commitments of this kind are never verified: nothing to exempt.")}
            )

    @classmethod
    def in_force(cls, *, matter_id: int, kind: str, on) -> ExemptionRule | None:
        """The rule exempting ``kind`` under the matter on ``on``: the kind's own rule before
        the matter's general one, the latest in force first; None when the matter allows none."""
        found = _EXEMPTION_IN_FORCE.models(matter_id, kind, on)
        return found[0] if found else None

    @classmethod
    def in_force_query(cls, matter_id: int, kind: str, on) -> models.QuerySet:
        rules = cls.objects.filter(
            models.Q(kind=kind) | models.Q(kind=""),
            matter_id=matter_id,
            effective_from__lte=on,
        ).filter(models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=on))
        return rules.order_by("-kind", "-effective_from", "-pk")[:1]


# Read once per signing and per finding, on every lifecycle: compiled once (directory.compiled).
_KIND_OF = CompiledQuery(
    lambda code: CommitmentKind.objects.filter(code=code)[:1], "sentinel:kind:1730100601"
)
_EXEMPTION_IN_FORCE = CompiledQuery(
    ExemptionRule.in_force_query, -1_730_100_602, "sentinel:kind:1730100603", date(1, 1, 3)
)
