"""Reads of obligations, their follow-through and the warnings about them, for a viewer."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from commitments.errors import CommitmentError, ErrorCode
from commitments.obligations.models import (
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningSchedule,
)
from directory.selectors import department_ids_of, subject_list
from notifications.models import OutboxMessage


def obligation_list(*, visible_to: AbstractBaseUser) -> QuerySet[Obligation]:
    """Obligations of subjects the viewer represents, and of its departments' commitments."""
    qs = Obligation.objects.select_related(
        "commitment", "commitment__subject", "commitment__template", "commitment__department"
    ).annotate(
        extension_count=Count("extensions", distinct=True),
        has_open_report=Exists(
            PerformanceReport.objects.filter(
                obligation=OuterRef("pk"), status=PerformanceReport.Status.SUBMITTED
            )
        ),
    )
    if not visible_to.is_authenticated:
        return qs.none()
    if visible_to.is_superuser:
        return qs
    return qs.filter(
        Q(commitment__subject__in=subject_list(represented_by=visible_to).values("pk"))
        | Q(commitment__department_id__in=department_ids_of(visible_to))
    )


def obligation_list_own(*, represented_by: AbstractBaseUser) -> QuerySet[Obligation]:
    """The applicant's obligations: every deadline of every subject it represents."""
    return obligation_list(visible_to=represented_by).filter(
        commitment__subject__in=subject_list(represented_by=represented_by).values("pk")
    )


def obligation_list_department(
    *,
    officer: AbstractBaseUser,
    overdue_on: datetime.date | None = None,
    due_by: datetime.date | None = None,
) -> QuerySet[Obligation]:
    """Pending obligations of the officer's departments' commitments, the nearest first.

    ``overdue_on`` keeps those whose due date is before that day; ``due_by`` those due on or
    before it (both through the ``(status, due_date)`` index).
    """
    qs = obligation_list(visible_to=officer).filter(
        commitment__department_id__in=department_ids_of(officer),
        status=Obligation.Status.PENDING,
    )
    if overdue_on is not None:
        qs = qs.filter(due_date__lt=overdue_on)
    if due_by is not None:
        qs = qs.filter(due_date__lte=due_by)
    return qs.order_by("due_date", "pk")


def obligation_get(*, pk: int, visible_to: AbstractBaseUser) -> Obligation:
    """One obligation with what the detail page shows, or NOT_FOUND for outsiders."""
    try:
        return (
            obligation_list(visible_to=visible_to)
            .prefetch_related(
                Prefetch(
                    "extensions",
                    queryset=DeadlineExtension.objects.select_related("extended_by"),
                ),
                Prefetch(
                    "performance_reports",
                    queryset=PerformanceReport.objects.select_related(
                        "submitted_by", "decided_by"
                    ).prefetch_related(
                        Prefetch("evidence", queryset=PerformanceEvidence.objects.order_by("pk"))
                    ),
                ),
                Prefetch(
                    "warning_schedule",
                    queryset=WarningSchedule.objects.select_related("step").order_by(
                        "due_at", "pk"
                    ),
                ),
            )
            .get(pk=pk)
        )
    except Obligation.DoesNotExist:
        raise CommitmentError(ErrorCode.NOT_FOUND, "No such obligation.") from None


def evidence_get(*, pk: int, visible_to: AbstractBaseUser) -> PerformanceEvidence:
    try:
        return PerformanceEvidence.objects.select_related("report").get(
            pk=pk, report__obligation__in=obligation_list(visible_to=visible_to).values("pk")
        )
    except PerformanceEvidence.DoesNotExist:
        raise CommitmentError(ErrorCode.NOT_FOUND, "No such file.") from None


def report_get(*, pk: int, visible_to: AbstractBaseUser) -> PerformanceReport:
    try:
        return PerformanceReport.objects.select_related("obligation").get(
            pk=pk, obligation__in=obligation_list(visible_to=visible_to).values("pk")
        )
    except PerformanceReport.DoesNotExist:
        raise CommitmentError(ErrorCode.NOT_FOUND, "No such report.") from None


def verification_extension_list(*, commitment) -> QuerySet[DeadlineExtension]:
    """Extensions of a commitment's verification deadline, oldest first, with who made them."""
    return DeadlineExtension.objects.filter(
        commitment=commitment, kind=DeadlineExtension.Kind.VERIFICATION
    ).select_related("extended_by")


def is_officer_of(*, user: AbstractBaseUser, obligation: Obligation) -> bool:
    department_id = obligation.commitment.department_id
    return department_id is not None and department_id in department_ids_of(user)


def delivery_list(*, officer: AbstractBaseUser, status: str = "") -> QuerySet[OutboxMessage]:
    """Warnings about the officer's departments' obligations, newest first, with recipients."""
    groups = [f"department:{pk}" for pk in department_ids_of(officer)]
    qs = OutboxMessage.objects.filter(audience_group__in=groups).select_related("recipient")
    if status in OutboxMessage.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def delivery_list_for_obligation(*, obligation: Obligation) -> QuerySet[OutboxMessage]:
    return (
        OutboxMessage.objects.filter(topic=f"obligation:{obligation.pk}")
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
