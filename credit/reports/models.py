"""Special credit reports: one row per issued report, with the sealed PDF and the fingerprint
of the record it listed (so a later check can say whether the record has changed since)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_SPAN_YEARS = 5


class CreditReport(models.Model):
    """A special credit report issued for a subject over a span. Append-only."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="credit_reports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    span_from = models.DateField(_("from"))
    span_until = models.DateField(_("until"))
    language = models.CharField(_("language"), max_length=10)
    issued_at = models.DateTimeField(_("issued"))
    entry_count = models.PositiveIntegerField(_("entries"))
    record_digest = models.CharField(_("fingerprint of the record listed"), max_length=64)
    document = models.ForeignKey(
        "signing.SignedDocument", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("special credit report")
        verbose_name_plural = _("special credit reports")
        indexes = [models.Index(fields=["subject", "-issued_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(span_from__lte=models.F("span_until")),
                name="credit_report_span_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class SealedRepairNotice(models.Model):
    """The sealed PDF of a breach's repair notice (platform seal, PAdES B-LTA), made once.

    The notice itself is written with the decision, in its transaction; sealing needs the
    time-stamping service, so it follows on commit (a task, the beat's sweep, or the first
    reader, whichever comes first) and never holds the decision back. ``check_code`` makes the
    public check's address (the stamp's QR code) unguessable: notice references are numbered.
    """

    notice = models.OneToOneField(
        "credit.RepairNotice", on_delete=models.PROTECT, related_name="sealed"
    )
    check_code = models.CharField(_("check code"), max_length=16, unique=True)
    language = models.CharField(_("language"), max_length=10)
    sealed_at = models.DateTimeField(_("sealed"))
    document = models.ForeignKey(
        "signing.SignedDocument", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sealed_at", "-pk"]
        verbose_name = _("sealed repair notice")
        verbose_name_plural = _("sealed repair notices")

    def __str__(self) -> str:
        return f"{self.notice_id} ({self.sealed_at:%Y-%m-%d %H:%M})"
