"""Reading a rectification: its events in the commitment's timeline, the applicant's next
step, and the open orders on the applicant's home."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.lifecycle import selectors as lifecycle_selectors
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import TimelineEvent
from directory.selectors import subject_list
from workflows.verification.models import Rectification

_EVENT_OF_STATUS = {
    Rectification.Status.ORDERED: TimelineEvent.RECTIFICATION_ORDERED,
    Rectification.Status.SUBMITTED: TimelineEvent.RECTIFICATION_SUBMITTED,
    Rectification.Status.DUE: TimelineEvent.RECTIFICATION_LAPSED,
}
_SENTENCES = {
    TimelineEvent.RECTIFICATION_ORDERED: _(
        "%(who)s ordered rectification on %(when)s, to be done by %(due)s: %(gaps)s"
    ),
    TimelineEvent.RECTIFICATION_SUBMITTED: _(
        "%(who)s submitted the rectification on %(when)s; it is verified again."
    ),
    TimelineEvent.RECTIFICATION_LAPSED: _(
        "The rectification deadline passed on %(when)s with nothing submitted; it is "
        "verified again."
    ),
}


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def rectification_timeline(commitment: Commitment) -> list[dict]:
    """The rectification's steps as timeline entries (the final finding is the commitment's)."""
    if commitment.process_id is None:
        return []
    entries = []
    previous = None
    rows = Rectification.history.filter(commitment_id=commitment.pk).select_related("history_user")
    for row in rows.order_by("history_date", "history_id"):
        event = _EVENT_OF_STATUS.get(row.status)
        if event is not None and row.status != previous:
            entries.append(
                {
                    "at": row.history_date,
                    "actor": row.history_user,
                    "event": event,
                    "from_status": previous,
                    "to_status": row.status,
                    "reason": row.history_change_reason or "",
                    "kind": "rectification",
                    "sentence": _SENTENCES[event],
                    "values": {"due": _when(row.due_at), "gaps": row.gaps},
                }
            )
        previous = row.status
    return entries


def rectification_next_step(commitment: Commitment) -> str:
    """What happens next while a rectification is open."""
    if commitment.status != Commitment.Status.UNDER_VERIFICATION:
        return ""
    rectification = Rectification.objects.filter(commitment=commitment).first()
    if rectification is None or not rectification.is_open:
        return ""
    values = {"when": _when(rectification.due_at), "department": commitment.department.name}
    if rectification.status == Rectification.Status.ORDERED:
        return (
            gettext(
                "Next: rectify what %(department)s found and submit it with evidence by %(when)s; "
                "it is then verified again."
            )
            % values
        )
    return gettext("Next: %(department)s verifies the rectified commitment.") % values


def rectification_home_notices(user: AbstractBaseUser) -> list[dict]:
    """One line on the applicant's home per open order: what to rectify by when, and where."""
    return [
        {
            "text": gettext("Rectify commitment %(reference)s by %(when)s")
            % {"reference": item.commitment.reference, "when": _when(item.due_at)},
            "link": reverse("submission:rectification", args=[item.commitment.reference]),
        }
        for item in rectifications_to_do(user=user)
    ]


def rectifications_to_do(*, user: AbstractBaseUser) -> list[Rectification]:
    """The open orders on the subjects the user represents, soonest deadline first."""
    if not user.is_authenticated:
        return []
    return list(
        Rectification.objects.filter(
            commitment__subject__in=subject_list(represented_by=user).values("pk"),
            status=Rectification.Status.ORDERED,
        )
        .select_related("commitment", "department")
        .order_by("due_at", "pk")[:20]
    )


# Registered once, when the app is ready (``workflows.apps``): the domain never imports us.
if rectification_timeline not in lifecycle_selectors.TIMELINE_SOURCES:
    lifecycle_selectors.TIMELINE_SOURCES.append(rectification_timeline)
    lifecycle_selectors.NEXT_STEP_SOURCES.append(rectification_next_step)
    lifecycle_selectors.HOME_SOURCES.append(rectification_home_notices)
