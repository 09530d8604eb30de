"""Reads of the catalogue: the templates an applicant may pick."""

from __future__ import annotations

from django.db.models import QuerySet

from commitments.catalogue.models import CommitmentTemplate


def template_list_active(*, kind: str | None = None) -> QuerySet[CommitmentTemplate]:
    """Templates an applicant may pick; repair and pledge templates have their own pages."""
    qs = CommitmentTemplate.objects.filter(status=CommitmentTemplate.Status.ACTIVE).exclude(
        kind__in=CommitmentTemplate.KINDS_WITH_OWN_PROCESS
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("matter").order_by("title", "-version")
