"""Reads of the catalogue: the kinds of commitment and the templates an applicant may pick."""

from __future__ import annotations

from django.db.models import QuerySet

from commitments.catalogue.models import CommitmentKind, CommitmentTemplate


def template_list_active(*, kind: str | None = None) -> QuerySet[CommitmentTemplate]:
    """Templates an applicant may pick; repair and pledge templates have their own pages."""
    qs = CommitmentTemplate.objects.filter(status=CommitmentTemplate.Status.ACTIVE).exclude(
        kind__in=CommitmentTemplate.KINDS_WITH_OWN_PROCESS
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("matter").order_by("title", "-version")


def kind_list(*, applicant_may_pick: bool = False) -> QuerySet[CommitmentKind]:
    """The kinds of commitment in their order; ``applicant_may_pick``: those signed through
    the generic path (repair and pledges have their own pages)."""
    qs = CommitmentKind.objects.order_by("position", "code")
    if applicant_may_pick:
        qs = qs.filter(has_own_process=False)
    return qs
