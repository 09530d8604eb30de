"""How long the rows of each time-partitioned table are kept, and what maintenance did."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.history import HistoricalRecords


class RetentionPeriod(models.Model):
    """The legal period for which the rows of one time-partitioned table are kept.

    A partition whose whole range lies further back than the period is detached and dropped
    by the maintenance job (``directory.partitions.services.partitions_maintain``). One row per
    table, seeded by the migration that partitions the table; an administrator changes the
    period when the law or the city's archive rules change, and the next run applies it.
    No period (``months`` empty) keeps every partition for good: the register's entries, the
    transparency log, whose proofs need every leaf ever appended.
    """

    table = models.CharField(_("table"), max_length=63, unique=True)
    months = models.PositiveSmallIntegerField(
        _("kept for (months)"),
        validators=[MinValueValidator(1)],
        null=True,
        blank=True,
        help_text=_("Empty: kept for good, never dropped."),
    )
    legal_basis = models.TextField(_("legal basis"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["table"]
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return f"{self.table}: {self.months or '∞'}"


class PartitionEvent(models.Model):
    """What one maintenance run did to one table: a partition made ahead, one dropped at the
    end of its retention period, or rows moved out of the default partition.

    Append-only: written by the maintenance service, never changed.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Partition created")
        DROPPED = "dropped", _("Partition detached and dropped")
        MOVED = "moved", _("Rows moved out of the default partition")

    table = models.CharField(_("table"), max_length=63)
    partition = models.CharField(_("partition"), max_length=63, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    rows = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    retention_months = models.PositiveSmallIntegerField(
        _("retention period (months)"), null=True, blank=True
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("partition event")
        verbose_name_plural = _("partition events")

    def __str__(self) -> str:
        return f"{self.table} {self.partition}: {self.action}"
