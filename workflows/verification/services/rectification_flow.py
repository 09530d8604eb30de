"""What the verification flow's rectification nodes do to the data (the flow calls these).

Kept apart from ``rectification`` (which runs the flow's nodes) so the flow can import it.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from viewflow.workflow.models import Task

from commitments.lifecycle.models import Commitment
from directory.audit import audited_save, system_user
from directory.compiled import CompiledQuery
from directory.memo import memo_forget, scoped_memo, scoped_memo_set
from directory.selectors import subject_representative_users
from notifications.services.inbox import notification_send
from notifications.services.outbox import recipient_language
from workflows.verification.models import Rectification, VerificationTaskIndex
from workflows.verification.services.queue import reminder_instant

# Whether a process's commitment has a rectification ordered, in an operation's memo.
RECTIFICATION_ORDERED_MEMO = "workflows.rectification_ordered"


@receiver([post_save, post_delete], sender=Rectification)
def _forget_rectifications(**_kwargs) -> None:
    memo_forget(RECTIFICATION_ORDERED_MEMO)


def rectification_is_ordered(*, process_id: int) -> bool:
    """Whether the process's commitment has a rectification ordered (once per operation)."""
    return scoped_memo(
        (RECTIFICATION_ORDERED_MEMO, process_id),
        lambda: Rectification.objects.filter(
            commitment__process_id=process_id, status=Rectification.Status.ORDERED
        ).exists(),
    )


def rectification_index_due(*, task: Task, commitment: Commitment) -> None:
    """The re-verification is due at the rectification deadline (or now, if that passed)."""
    due_at = (
        Rectification.objects.filter(commitment=commitment).values_list("due_at", flat=True).first()
    )
    if due_at is None:
        return
    due_at = max(due_at, timezone.now())
    VerificationTaskIndex.objects.filter(task_id=task.pk).update(
        due_at=due_at, remind_at=reminder_instant(due_at)
    )


def rectification_lapse(*, process_id: int) -> Rectification | None:
    """Record that the deadline passed with nothing submitted (the platform did)."""
    rectification = (
        Rectification.objects.select_for_update().filter(commitment__process_id=process_id).first()
    )
    if rectification is None or rectification.status != Rectification.Status.ORDERED:
        return rectification
    rectification.pass_deadline()
    audited_save(rectification, by=system_user(), reason="rectification deadline passed")
    return rectification


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def notify_rectification_ordered(*, rectification: Rectification) -> None:
    """Tell each representative of the subject, in their language, what to fix and by when."""
    commitment = rectification.commitment
    link = reverse("submission:rectification", args=[commitment.reference])
    for user in subject_representative_users(subject_id=commitment.subject_id):
        with override(recipient_language(user=user)):
            values = {
                "reference": commitment.reference,
                "department": commitment.department.name,
                "due": _when(rectification.due_at),
                "gaps": rectification.gaps,
            }
            notification_send(
                recipient=user,
                key=f"workflows:rectification-ordered:{rectification.pk}:{user.pk}",
                subject=gettext("Rectification ordered: %(reference)s") % values,
                body=gettext(
                    "%(department)s ordered you to rectify commitment %(reference)s by "
                    "%(due)s. What must be rectified: %(gaps)s. Submit what you did, with "
                    "evidence, before the deadline; it is then verified again."
                )
                % values,
                link=link,
            )


# Asked at every finding (almost always: none): compiled once (directory.compiled).
_RECTIFICATION_UNDER_LOCK = CompiledQuery(
    lambda commitment_id: (
        Rectification.objects.select_for_update()
        .filter(commitment_id=commitment_id)
        .order_by("pk")[:1]
    ),
    -1_730_100_901,
)


def rectification_close(*, commitment: Commitment, verification) -> Rectification | None:
    """Close the commitment's open rectification with the re-verification's finding."""
    found = _RECTIFICATION_UNDER_LOCK.models(commitment.pk)
    rectification = found[0] if found else None
    if rectification is None or not rectification.is_open:
        # Read under its lock: the flow's next gate asks the same (no need to read it again).
        scoped_memo_set(
            (RECTIFICATION_ORDERED_MEMO, commitment.process_id),
            rectification is not None and rectification.status == Rectification.Status.ORDERED,
        )
        return rectification
    if verification.finding == verification.Finding.FULFILLED:
        rectification.close_fulfilled(at=verification.verified_at)
    else:
        rectification.close_breached(at=verification.verified_at)
    audited_save(
        rectification, by=verification.regulator, reason=f"re-verified: {verification.finding}"
    )
    return rectification
