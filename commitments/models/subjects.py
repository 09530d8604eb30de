"""Who commits: companies and persons, and the users who act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..identifiers import IdentifierKind, mask_resident_id
from .organisation import Region


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
