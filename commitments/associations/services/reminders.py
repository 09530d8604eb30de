"""Reminders to members that have not signed the association's pledge yet.

A member is reminded at most once a city day (``member_reminder_once_a_day``): a second
request the same day skips it. Each of its representatives gets an in-app notification and,
through the notifications outbox, an e-mail, in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commitments.associations.models import Association, MemberReminder
from commitments.associations.selectors import member_pledges, officer_check
from directory import selectors as directory_selectors
from directory.city import city_date
from notifications.services.inbox import notification_send
from notifications.services.outbox import recipient_language


@dataclass(frozen=True)
class ReminderRun:
    reminded: int
    already_today: int
    without_representative: int


def _remind(*, association: Association, row, users, day) -> None:
    for user in users:
        with translation.override(recipient_language(user=user)):
            notification_send(
                recipient=user,
                key=f"association:{association.pk}:remind:{row.subject_id}:{day}:{user.pk}",
                subject=_("Please sign the self-discipline pledge of %(association)s")
                % {"association": association.name},
                body=_(
                    "%(association)s has issued its self-discipline pledge “%(title)s” "
                    "(%(reference)s) to %(member)s. Please read and sign it."
                )
                % {
                    "association": association.name,
                    "title": row.bulk_issue.template.title,
                    "reference": row.commitment.reference,
                    "member": row.subject.name,
                },
                link=reverse("commitments:detail", kwargs={"reference": row.commitment.reference}),
            )


def members_remind(*, by: AbstractBaseUser, association: Association, now=None) -> ReminderRun:
    """Remind every member with an unsigned pledge, once a day each (an officer)."""
    officer_check(user=by, association=association)
    now = now or timezone.now()
    day = city_date(now)
    reminded = already = nobody = 0
    seen: set[int] = set()
    for row in member_pledges(association=association, signed=False):
        if row.subject_id in seen:
            continue
        seen.add(row.subject_id)
        users = directory_selectors.subject_representative_users(subject_id=row.subject_id)
        if not users:
            nobody += 1
            continue
        try:
            with transaction.atomic():
                MemberReminder.objects.create(
                    association=association, subject=row.subject, day=day, sent_by=by, sent_at=now
                )
                _remind(association=association, row=row, users=users, day=day)
        except IntegrityError:
            already += 1
            continue
        reminded += 1
    return ReminderRun(reminded=reminded, already_today=already, without_representative=nobody)
