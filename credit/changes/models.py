"""What changed in the credit record and who must hear of it: the outbox of notices to the
calling systems that received a record before it was repaired, revoked or corrected."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from credit.check.models import CallingSystem
from credit.record.models.breaches import Breach


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
