"""Service levels: warnings before a verification falls due.

The warning is a sweep (run by beat with the timers) over the queue index: every open task
whose warning instant has passed and whose due time has not gets one message to its holder,
or to the department's regulators while it waits in the queue. Escalation at the due time is
the flow's own timer (``InformCommitFlow.verification_overdue``).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from directory.models import RegulatorMembership
from directory.selectors import active_members
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.notify import notify_reminder

REMINDER_BATCH = 500


def verification_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Warn about every verification falling due soon, once each; the count warned."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        rows = list(
            VerificationTaskIndex.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now)
            .select_related("owner", "department")
            .order_by("remind_at")[:REMINDER_BATCH]
        )
        members: dict[int, list[AbstractBaseUser]] = {}
        for row in rows:
            if row.owner is not None and row.owner.is_active:
                recipients = [row.owner]
            else:
                if row.department_id not in members:
                    members[row.department_id] = [
                        membership.user
                        for membership in active_members(
                            department=row.department, role=RegulatorMembership.Role.REGULATOR
                        )
                    ]
                recipients = members[row.department_id]
            for user in recipients:
                notify_reminder(row=row, recipient=user)
            sent += 1
        VerificationTaskIndex.objects.filter(task_id__in=[row.task_id for row in rows]).update(
            reminded_at=now
        )
    return sent
