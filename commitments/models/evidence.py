"""What a regulator found and kept: the evidence summary, the inspection record, the files.

A finding (``Verification``) says fulfilled or breached; these say how it was established.
Files are stored once under a content-addressed name (their SHA-256) in the default storage,
so the same photo uploaded twice is kept once and a stored file can be checked against its
recorded digest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.lifecycle.models import Verification


class VerificationDetail(models.Model):
    """How the finding was established: what was checked and, on site, where, when and by whom."""

    verification = models.OneToOneField(
        Verification, on_delete=models.PROTECT, related_name="detail"
    )
    evidence_summary = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_(
            "What was checked: the documents read, the shared data source queried, the "
            "publicity notice, or what was seen on site."
        ),
    )
    inspected_on = models.DateField(_("inspection date"), null=True, blank=True)
    inspection_location = models.CharField(_("inspection location"), max_length=300, blank=True)
    inspectors = models.CharField(_("inspectors"), max_length=300, blank=True)
    is_spot_check = models.BooleanField(_("drawn for an on-site spot check"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification detail")
        verbose_name_plural = _("verification details")

    def __str__(self) -> str:
        return str(self.verification)


class VerificationEvidence(models.Model):
    """One file kept as evidence of a verification (photo, scanned record, PDF)."""

    verification = models.ForeignKey(
        Verification, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("original file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["verification", "pk"]
        verbose_name = _("verification evidence")
        verbose_name_plural = _("verification evidence")

    def __str__(self) -> str:
        return self.original_name
