"""The audit of the processes' tasks, shared by every flow (verification, repair, objections).

- ``TaskAuditEntry``: who claimed, released, reassigned or delegated a task, and who cancelled
  it (an applicant's withdrawal, a timer: the platform), from which state and why.

Its rows belong to the ``workflows`` app like the processes' own models; the table is
partitioned by month (migration 0014).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskAuditEntry(models.Model):
    """One change of a task: who holds it, or its cancellation (kept for the task's story and
    the audit)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned automatically")
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released to the queue")
        REASSIGNED = "reassigned", _("Reassigned")
        DELEGATED = "delegated", _("Passed to a delegate")
        ESCALATED = "escalated", _("Escalated")
        CANCELLED = "cancelled", _("Cancelled")

    task = models.ForeignKey("viewflow.Task", on_delete=models.CASCADE, related_name="audit")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    # The task's state before the change (kept for a cancellation: which state it left).
    from_status = models.CharField(_("state before"), max_length=50, blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("task audit entry")
        verbose_name_plural = _("task audit entries")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.get_kind_display()}"
