"""The repair rules (held as data) and the notices of record changes owed to the systems
that received a record.

Imported by ``credit.models`` so Django sees the models. The cases a subject files against
its record (repair applications, objections) live with their processes in
``workflows.repair.models``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from credit.models import Breach, BreachCategory, CallingSystem


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


class RecordChangeNotice(models.Model):
    """Outbox: a calling system that received a record is told that it changed."""

    class Change(models.TextChoices):
        REPAIRED = "repaired", _("Repaired")
        REVOKED = "revoked", _("Revoked")
        CORRECTED = "corrected", _("Corrected")

    calling_system = models.ForeignKey(
        CallingSystem, on_delete=models.PROTECT, related_name="change_notices"
    )
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="change_notices")
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("record change notice")
        verbose_name_plural = _("record change notices")
        constraints = [
            models.UniqueConstraint(
                fields=["calling_system", "breach", "change"], name="change_notice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change} {self.breach_id} → {self.calling_system_id}"
