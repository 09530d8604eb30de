"""Messages to regulators about their tasks: in the application and by e-mail (after commit).

Each message has a key naming the event, so a retried action never notifies twice.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from viewflow.workflow.models import Task

from commitments.lifecycle.models import Commitment
from directory.models import RegulatorMembership
from directory.selectors import active_members
from notifications.services.inbox import notification_send
from workflows.verification.models import Delegation, VerificationTaskIndex


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


def notify_assigned(*, task: Task, commitment: Commitment) -> None:
    """Tell the assignee that a verification is waiting for them."""
    notification_send(
        recipient=task.owner,
        key=f"workflows:assigned:{task.pk}:{task.owner.pk}",
        subject=gettext("Commitment to verify: %(reference)s")
        % {"reference": commitment.reference},
        body=gettext(
            "The commitment %(reference)s by %(subject)s has been assigned to you for verification."
        )
        % {"reference": commitment.reference, "subject": commitment.subject.name},
        link=reverse("workflows:task", args=[task.pk]),
    )


def notify_escalated(*, task: Task, commitment: Commitment) -> None:
    """Tell the department's supervisors and regulators that a verification window passed."""
    recipients = {
        membership.user.pk: membership.user
        for role in (RegulatorMembership.Role.SUPERVISOR, RegulatorMembership.Role.REGULATOR)
        for membership in active_members(department=commitment.department, role=role)
    }
    link = reverse("workflows:task", args=[task.pk])
    due = commitment.verification_due_at
    for user in recipients.values():
        notification_send(
            recipient=user,
            key=f"workflows:escalated:{task.process_id}:{user.pk}",
            subject=gettext("Verification overdue: %(reference)s")
            % {"reference": commitment.reference},
            body=gettext(
                "The verification of commitment %(reference)s by %(subject)s was due by "
                "%(due)s and has not been recorded. It has been escalated to the "
                "department's supervisor."
            )
            % {
                "reference": commitment.reference,
                "subject": commitment.subject.name,
                "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "-",
            },
            link=link,
        )
