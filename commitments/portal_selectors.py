"""Reads for the public portal: what may be shown to anyone, searchable and paginated.

Natural persons are not searchable or profiled on the portal; on lists they appear with a
masked name and no identifier.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from directory.identifiers import normalise
from directory.models import Subject


def _search(q: str, *, code: str = "code", name: str = "name") -> Q:
    q = (q or "").strip()
    if not q:
        return Q()
    return Q(**{code: normalise(q)}) | Q(**{f"{name}__icontains": q})


def public_commitment_list(*, q: str = "", now=None) -> QuerySet[Commitment]:
    """Signed commitments within their template's publicity period, newest first."""
    now = now or timezone.now()
    periods = set(
        CommitmentTemplate.objects.filter(publicity_days__gt=0).values_list(
            "publicity_days", flat=True
        )
    )
    within = Q(pk__in=[])
    for days in periods:  # one range per distinct period: portable and index-friendly
        within |= Q(template__publicity_days=days, signed_at__gt=now - timedelta(days=days))
    return (
        Commitment.objects.filter(within, signed_at__isnull=False)
        .exclude(status=Commitment.Status.WITHDRAWN)
        .filter(subject__kind=Subject.Kind.COMPANY)
        .filter(_search(q, code="subject__code", name="subject__name"))
        .select_related("subject", "template", "template__matter", "department")
        .order_by("-signed_at", "-pk")
    )


def public_subject_search(*, q: str) -> QuerySet[Subject]:
    if not (q or "").strip():
        return Subject.objects.none()
    return (
        Subject.objects.filter(kind=Subject.Kind.COMPANY).filter(_search(q)).order_by("name", "pk")
    )


def public_list_entries(*, kind: str, q: str = "", current: bool = True) -> QuerySet[ListEntry]:
    """Designations on red or black lists: current ones, or those that have ended."""
    status = ListEntry.Status.LISTED if current else ListEntry.Status.EXITED
    entries = (
        ListEntry.objects.filter(credit_list__kind=kind, status=status, entered_on__isnull=False)
        .filter(_search(q, code="subject__code", name="subject__name"))
        .select_related("credit_list", "subject")
    )
    order = ["-entered_on", "-pk"] if current else ["-exited_on", "-pk"]
    return entries.order_by(*order)


def list_kinds() -> list[tuple[str, str]]:
    return list(CreditList.Kind.choices)


def public_subject(*, code: str) -> Subject | None:
    return Subject.objects.filter(code=normalise(code), kind=Subject.Kind.COMPANY).first()


def masked_name(subject: Subject) -> str:
    if subject.kind == Subject.Kind.COMPANY:
        return subject.name
    return subject.name[:1] + "*" * max(len(subject.name) - 1, 1)
