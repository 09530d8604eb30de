"""Telling the systems that received a record that it changed (NDRC Order 36: repair reaches
everyone who received the record): ``credit.changes`` queues one change notice per calling
system that asked about the subject; this sends each system's user the message, once per
notice."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from credit.changes.models import RecordChangeNotice
from credit.changes.services import record_change_queue
from credit.check.models import CallingSystem
from credit.record.models.breaches import Breach
from notifications.services.inbox import notification_send


def _change_message(change: str, *, record: int, subject: str, day: date) -> tuple[str, str]:
    """The subject line and body telling a calling system that a record changed: one
    translatable sentence per kind of change (word order differs between languages)."""
    values = {"id": record, "subject": subject, "day": day}
    if change == RecordChangeNotice.Change.REPAIRED:
        return (
            _("Credit record %(id)s repaired") % values,
            _(
                "The credit record %(id)s of subject %(subject)s that you received was "
                "repaired on %(day)s: stop using it."
            )
            % values,
        )
    if change == RecordChangeNotice.Change.REVOKED:
        return (
            _("Credit record %(id)s revoked") % values,
            _(
                "The credit record %(id)s of subject %(subject)s that you received was "
                "revoked on %(day)s: stop using it."
            )
            % values,
        )
    return (
        _("Credit record %(id)s corrected") % values,
        _(
            "The credit record %(id)s of subject %(subject)s that you received was "
            "corrected on %(day)s: ask for it again before using it."
        )
        % values,
    )


def record_change_tell(*, breach: Breach, change: str) -> list[RecordChangeNotice]:
    """Queue a notice for every calling system that received the record and send each its
    message (the outbox row, and a message to the system's user, once per notice)."""
    notices = record_change_queue(breach=breach, change=change)
    systems = CallingSystem.objects.in_bulk([n.calling_system_id for n in notices])
    for notice in notices:
        subject, body = _change_message(
            notice.change, record=breach.pk, subject=breach.subject_id, day=timezone.localdate()
        )
        notification_send(
            recipient=systems[notice.calling_system_id].user,
            key=f"credit-change-{notice.pk}",
            subject=subject,
            body=body,
        )
    return notices
