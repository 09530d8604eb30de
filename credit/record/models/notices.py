"""The credit repair notice (信用修复告知书) that goes out with every breach decision
(两书同达, State Council General Office 2025 No. 22).

Written by ``credit.record.services.breaches.breach_record`` in the decision's own transaction:
a decision without its notice cannot exist. It says, under the record's rule set, from when
repair may be applied for, which materials are needed and where to apply; the PDF and the
messages are rendered from this row, so the notice reads the same wherever it is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credit.record.models.breaches import Breach
from credit.record.models.rules import RepairRule, RuleSet


class RepairMaterial(models.TextChoices):
    """What a repair application needs (NDRC Order 36; 2025 No. 22)."""

    COMMITMENT = "commitment", _("A public credit repair commitment, signed by the subject")
    PERFORMANCE = (
        "performance",
        _("Proof that the dishonest act was corrected and every obligation performed"),
    )


class RepairNotice(models.Model):
    """The repair notice of one breach. Append-only: written once with the decision."""

    breach = models.OneToOneField(Breach, on_delete=models.PROTECT, related_name="repair_notice")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    is_repairable = models.BooleanField(_("may be repaired"))
    earliest_repair_on = models.DateField(_("repair may be applied for from"))
    publication_ends_on = models.DateField(_("publication ends at the latest"))
    materials = models.JSONField(_("materials needed"), default=list, blank=True)
    apply_path = models.CharField(_("where to apply online"), max_length=200)
    department_name = models.CharField(_("where to apply in person"), max_length=200, blank=True)
    repair_basis = models.TextField(_("legal basis of repair"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("credit repair notice")
        verbose_name_plural = _("credit repair notices")

    def __str__(self) -> str:
        return self.reference

    @property
    def repair_basis_display(self) -> str:
        """The legal basis of repair in the reader's language when it is the catalogue's (the
        category's repair rule, the general one, or the rule set's: ADR 0015), as written
        otherwise. The notice copies it in the language of the moment it was issued."""
        sources = [
            *RepairRule.objects.filter(
                Q(category_id=self.breach.category_id) | Q(category__isnull=True)
            ),
            self.rule_set,
        ]
        for source in sources:
            if self.repair_basis in {source.legal_basis_zh_hans, source.legal_basis_en}:
                return source.legal_basis
        return self.repair_basis

    def material_labels(self) -> list[str]:
        """The materials in the reader's language."""
        labels = dict(RepairMaterial.choices)
        return [str(labels.get(code, code)) for code in self.materials]
