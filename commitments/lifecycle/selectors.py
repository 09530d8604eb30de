"""Reads of commitments for a given viewer: authorisation and query shape live here, once."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation
from directory.models import Subject
from directory.selectors import department_ids_of, subject_list, subject_list_for_drafts


def commitment_list(*, visible_to: AbstractBaseUser) -> QuerySet[Commitment]:
    """Commitments the viewer may see: those of the subjects it provenly represents, its own
    drafts for subjects it has only claimed, and its departments' work."""
    qs = Commitment.objects.select_related(
        "template", "template__matter", "subject", "department", "region", "signed_document"
    )
    if not visible_to.is_authenticated:
        return qs.none()
    if visible_to.is_superuser:
        return qs
    return qs.filter(
        Q(subject__in=subject_list(represented_by=visible_to).values("pk"))
        | Q(
            subject__in=subject_list_for_drafts(user=visible_to).values("pk"),
            created_by=visible_to,
            status=Commitment.Status.DRAFT,
        )
        | Q(department_id__in=department_ids_of(visible_to))
    )


def commitment_get(*, reference: str, visible_to: AbstractBaseUser) -> Commitment:
    """One commitment, or NOT_FOUND: a viewer cannot tell others' commitments from missing ones."""
    try:
        return commitment_list(visible_to=visible_to).get(reference=reference)
    except Commitment.DoesNotExist:
        raise CommitmentError(ErrorCode.NOT_FOUND, "No such commitment.") from None


def commitment_timeline(*, commitment: Commitment) -> list[dict]:
    """Every recorded change of the commitment and its parts, oldest first: who, when, what, why."""
    entries: list[dict] = []
    previous_status = None
    for row in commitment.history.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        entries.append(
            {
                "at": row.history_date,
                "actor": row.history_user,
                "from_status": previous_status,
                "to_status": row.status,
                "reason": row.history_change_reason or "",
                "kind": "commitment",
            }
        )
        previous_status = row.status
    entries.sort(key=lambda e: e["at"])
    return entries


def record_commitments(*, subject: Subject, visible_to) -> QuerySet[Commitment]:
    """The subject's commitments with their obligations, as its representative sees them."""
    return (
        commitment_list(visible_to=visible_to)
        .filter(subject=subject)
        .exclude(status=Commitment.Status.DRAFT)
        .prefetch_related(Prefetch("obligations", queryset=Obligation.objects.order_by("due_date")))
        .order_by("-signed_at", "-pk")
    )


def public_commitments(*, subject: Subject, now=None) -> list[Commitment]:
    """Signed commitments still within the publicity period their template announced."""
    now = now or timezone.now()
    candidates = (
        Commitment.objects.filter(
            subject=subject, signed_at__isnull=False, template__publicity_days__gt=0
        )
        .exclude(status=Commitment.Status.WITHDRAWN)
        .select_related("template", "template__matter")
        .annotate(publicity_days=F("template__publicity_days"))
        .order_by("-signed_at", "-pk")
    )
    return [c for c in candidates if now < c.signed_at + timedelta(days=c.publicity_days)]
