"""Idempotent background adapters of credit reports (kicked on commit, and swept by beat)."""

from __future__ import annotations

from celery import shared_task
from django.dispatch import receiver

from credit.record.models.notices import RepairNotice
from credit.record.signals import repair_notice_issued
from credit.reports.services import repair_notices_seal_due
from notifications.tasks import task_kick_on_commit


@shared_task(name="credit.reports.tasks.repair_notices_seal_due_task")
def repair_notices_seal_due_task(limit: int = 200) -> int:
    """Seal the repair notices that have no sealed PDF yet (safe to run any number of times)."""
    return repair_notices_seal_due(limit=limit)


@receiver(repair_notice_issued, sender=RepairNotice, dispatch_uid="credit-reports-notice-seal")
def repair_notice_seal_soon(sender, notice: RepairNotice, **kwargs) -> None:
    """A decision wrote a notice: seal it once the decision commits (the sweep catches up if
    the broker does not answer)."""
    task_kick_on_commit(repair_notices_seal_due_task)
