"""Warnings before a verification falls due: once each, to the holder or the department."""

from __future__ import annotations

import datetime

import time_machine

from notifications.models import Notification
from tests.workflows.conftest import task_of
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.sla import verification_reminders_send
from workflows.verification.services.work import verification_task_release


def test_regulators_are_warned_once_before_the_due_date(world, submitted_commitment):
    row = VerificationTaskIndex.objects.get(task=task_of(submitted_commitment))

    with time_machine.travel(row.remind_at - datetime.timedelta(minutes=1)):
        assert verification_reminders_send() == 0
    with time_machine.travel(row.remind_at + datetime.timedelta(minutes=1)):
        assert verification_reminders_send() == 1
        assert verification_reminders_send() == 0

    warned = Notification.objects.filter(key__startswith="workflows:reminder:")
    assert list(warned.values_list("recipient__username", flat=True)) == ["regulator"]
    assert submitted_commitment.reference in warned.get().subject


def test_a_queued_task_warns_the_departments_regulators(world, submitted_commitment):
    task = verification_task_release(task=task_of(submitted_commitment), by=world.regulator)
    row = VerificationTaskIndex.objects.get(task=task)

    with time_machine.travel(row.remind_at + datetime.timedelta(minutes=1)):
        verification_reminders_send()

    assert sorted(
        Notification.objects.filter(key__startswith="workflows:reminder:").values_list(
            "recipient__username", flat=True
        )
    ) == ["regulator", "regulator2"]
