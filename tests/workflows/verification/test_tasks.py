"""The verification's background work is registered under the names beat schedules."""

from __future__ import annotations

from django.conf import settings

from notifications.tasks import outbox_deliver_task
from workflows.verification.tasks import (
    delegations_apply_task,
    signing_requests_resume_task,
    verification_reminders_send_task,
)


def test_the_beat_entries_name_the_verification_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["send-verification-reminders"]["task"] == verification_reminders_send_task.name
    assert schedule["apply-delegations"]["task"] == delegations_apply_task.name
    assert schedule["resume-signing-requests"]["task"] == signing_requests_resume_task.name
    assert schedule["deliver-outbox"]["task"] == outbox_deliver_task.name
    assert "workflows.verification.tasks" in settings.CELERY_IMPORTS
