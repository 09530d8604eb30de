"""E-mail warnings made due now, for the tests that deliver them through real workers and
brokers and then count what the SMTP server received, by key."""

from __future__ import annotations

import datetime

from django.utils import timezone

from commitments.obligations.models import Obligation, WarningSchedule, WarningStep
from notifications.models import OutboxMessage
from notifications.services.delivery import outbox_deliver_due
from tests.workflows.conftest import submit_commitment


def warnings_ready(world):
    """A submitted commitment and its template's on-the-day rung, e-mail only, with the
    submission's own e-mails (the regulators' assignment) delivered and cleared, so the
    outbox then holds only warnings. Returns (commitment, step)."""
    commitment = submit_commitment(world)
    assert outbox_deliver_due().dead == 0
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    OutboxMessage.objects.all().delete()
    step, _created = WarningStep.objects.update_or_create(
        template=world.template,
        relative="at",
        offset=0,
        audience="applicant",
        defaults={"channels": ["email"]},
    )
    return commitment, step


def warnings_due(world, commitment, step, count: int) -> list[str]:
    """``count`` obligations of ``commitment`` whose e-mail warning at ``step`` is due now;
    the outbox keys their warnings will have."""
    rule = world.template.obligation_rules.get()
    today = timezone.localdate()
    past = timezone.now() - datetime.timedelta(minutes=1)
    first = Obligation.objects.filter(commitment=commitment).count()
    keys = []
    for index in range(first, first + count):
        obligation = Obligation.objects.create(
            commitment=commitment,
            rule=rule,
            title=f"义务 {index}",
            due_date=today,
            due_basis={
                "start": today.isoformat(),
                "count": 0,
                "unit": "calendar_days",
                "skipped": 0,
                "due_date": today.isoformat(),
            },
        )
        WarningSchedule.objects.create(
            obligation=obligation, step=step, kind="warning", due_at=past
        )
        keys.append(f"warning:o{obligation.pk}:s{step.pk}:email:u{world.applicant.pk}")
    return keys
