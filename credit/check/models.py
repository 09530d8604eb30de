"""Other government systems that "check every case", and the log of every check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit.record.models.base import Purpose
from directory.history import HistoricalRecords

# The purpose logged for a special credit report (``credit.reports``): the platform issuing
# a report is a look at the subject's record like any check. Not a purpose callers may give.
REPORT_PURPOSE = "report"


class CallingSystem(models.Model):
    """Another government system allowed to "check every case", acting as one API user."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    operator = models.CharField(_("operated by"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calling_system"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("calling system")
        verbose_name_plural = _("calling systems")

    def __str__(self) -> str:
        return self.name


class CheckQuery(models.Model):
    """One "check every case" query: who asked, about whom, why, when and what was answered.

    Append-only: written once by the service, never changed.
    """

    # Each key leads one of the (key, -asked_at) indexes below, which serve its lookups; a
    # second, single-column index would only cost every check another index write.
    calling_system = models.ForeignKey(
        CallingSystem, on_delete=models.PROTECT, related_name="queries", db_index=False
    )
    subject = models.ForeignKey(
        "directory.Subject",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_checks",
        db_index=False,
    )
    subject_code = models.CharField(_("identifier asked about"), max_length=32)
    matter_code = models.CharField(_("matter"), max_length=50, blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=10,
        choices=[*Purpose.choices, (REPORT_PURPOSE, _("Special credit report"))],
    )
    reason = models.TextField(_("reason"))
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answer = models.JSONField(_("answer summary"), default=dict)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("check query")
        verbose_name_plural = _("check queries")
        indexes = [
            models.Index(fields=["subject", "-asked_at"]),
            models.Index(fields=["calling_system", "-asked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.calling_system_id} → {self.subject_code} ({self.asked_at:%Y-%m-%d %H:%M})"
