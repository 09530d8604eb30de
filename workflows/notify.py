"""Messages to regulators about their tasks: in the application and by e-mail (after commit).

Each message has a key naming the event, so a retried action never notifies twice.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from notifications.services.inbox import notification_send
from workflows.models import Delegation, VerificationTaskIndex


def _due(row: VerificationTaskIndex) -> str:
    return timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M")


def notify_reassigned(
    *,
    row: VerificationTaskIndex,
    to: AbstractBaseUser,
    previous: AbstractBaseUser | None,
    by: AbstractBaseUser,
    audit_id: int,
    reason: str,
) -> None:
    """Tell the new holder (and the previous one) that a task changed hands."""
    link = reverse("workflows:task", args=[row.task_id])
    values = {
        "reference": row.reference,
        "subject": row.subject_name,
        "by": by.get_username(),
        "due": _due(row),
        "reason": reason or "-",
    }
    notification_send(
        recipient=to,
        key=f"workflows:reassigned:{audit_id}:{to.pk}",
        subject=gettext("Commitment reassigned to you: %(reference)s") % values,
        body=gettext(
            "%(by)s reassigned the verification of commitment %(reference)s by %(subject)s "
            "to you. It is due by %(due)s. Reason: %(reason)s"
        )
        % values,
        link=link,
    )
    if previous is not None and previous.pk != to.pk:
        notification_send(
            recipient=previous,
            key=f"workflows:reassigned-away:{audit_id}:{previous.pk}",
            subject=gettext("Commitment taken off your list: %(reference)s") % values,
            body=gettext(
                "%(by)s reassigned the verification of commitment %(reference)s to a "
                "colleague. Reason: %(reason)s"
            )
            % values,
            link=link,
        )


def notify_delegation(*, delegation: Delegation, moved: int) -> None:
    """Tell the delegate what they stand in for, and the absent regulator it is in place."""
    values = {
        "delegator": delegation.delegator.get_username(),
        "delegate": delegation.delegate.get_username(),
        "starts": timezone.localtime(delegation.starts).strftime("%Y-%m-%d %H:%M"),
        "ends": timezone.localtime(delegation.ends).strftime("%Y-%m-%d %H:%M"),
        "moved": moved,
        "reason": delegation.reason,
    }
    link = reverse("workflows:inbox")
    notification_send(
        recipient=delegation.delegate,
        key=f"workflows:delegated:{delegation.pk}:{delegation.delegate_id}",
        subject=gettext("You stand in for %(delegator)s") % values,
        body=gettext(
            "From %(starts)s to %(ends)s the verification tasks of %(delegator)s and their "
            "new assignments come to you (%(moved)d open tasks handed over so far). "
            "Reason: %(reason)s"
        )
        % values,
        link=link,
    )
    notification_send(
        recipient=delegation.delegator,
        key=f"workflows:delegation-set:{delegation.pk}:{delegation.delegator_id}",
        subject=gettext("Your tasks go to %(delegate)s") % values,
        body=gettext(
            "From %(starts)s to %(ends)s your verification tasks and new assignments go to "
            "%(delegate)s. Reason: %(reason)s"
        )
        % values,
        link=link,
    )


def notify_reminder(*, row: VerificationTaskIndex, recipient: AbstractBaseUser) -> None:
    """Warn the holder (or the department) that a verification falls due soon; once."""
    values = {"reference": row.reference, "subject": row.subject_name, "due": _due(row)}
    notification_send(
        recipient=recipient,
        key=f"workflows:reminder:{row.task_id}:{recipient.pk}",
        subject=gettext("Verification due soon: %(reference)s") % values,
        body=gettext(
            "The verification of commitment %(reference)s by %(subject)s is due by %(due)s. "
            "If it is not recorded by then it is escalated to the department's supervisor."
        )
        % values,
        link=reverse("workflows:task", args=[row.task_id]),
    )
