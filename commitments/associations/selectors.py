"""Reads of associations for a viewer: an association is visible to its active officers only;
to anyone else it does not exist (404)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from commitments.associations.models import (
    Association,
    AssociationOfficer,
    BulkIssue,
    BulkIssueRow,
)
from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment


def association_list(*, officer: AbstractBaseUser) -> QuerySet[Association]:
    """The associations the user holds an active seat in."""
    if not officer.is_authenticated:
        return Association.objects.none()
    return Association.objects.filter(
        officers__user=officer, officers__is_active=True
    ).select_related("region")


def officer_check(*, user: AbstractBaseUser, association: Association) -> None:
    """Refuse anyone without an active seat in the association as if it did not exist."""
    if not (
        user.is_authenticated
        and AssociationOfficer.objects.filter(
            user=user, association=association, is_active=True
        ).exists()
    ):
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such association."), field="association")


def association_get(*, code: str, officer: AbstractBaseUser) -> Association:
    association = association_list(officer=officer).filter(code=code).first()
    if association is None:
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such association."), field="association")
    return association


def issuable_templates() -> QuerySet[CommitmentTemplate]:
    """The self-discipline templates open for use."""
    return CommitmentTemplate.objects.filter(
        kind=CommitmentTemplate.Kind.SELF_DISCIPLINE, status=CommitmentTemplate.Status.ACTIVE
    ).order_by("code", "-version")


def bulk_issue_list(*, association: Association) -> QuerySet[BulkIssue]:
    return association.bulk_issues.select_related("template", "uploaded_by")


def bulk_issue_get(*, association: Association, pk: int) -> BulkIssue:
    bulk = bulk_issue_list(association=association).filter(pk=pk).first()
    if bulk is None:
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such bulk issue."), field="bulk_issue")
    return bulk


def bulk_issue_rows(*, bulk_issue: BulkIssue, outcome: str = "") -> QuerySet[BulkIssueRow]:
    rows = bulk_issue.rows.select_related("subject", "commitment")
    return rows.filter(outcome=outcome) if outcome else rows


def member_pledges(*, association: Association, signed: bool | None = None) -> QuerySet:
    """The pledges the association issued and the members were to sign (withdrawn ones aside),
    oldest row first; ``signed`` keeps the signed or the unsigned ones."""
    rows = (
        BulkIssueRow.objects.filter(
            bulk_issue__association=association, outcome=BulkIssueRow.Outcome.ISSUED
        )
        .exclude(commitment__status=Commitment.Status.WITHDRAWN)
        .select_related("subject", "commitment", "bulk_issue__template")
        .order_by("subject__name", "pk")
    )
    if signed is not None:
        rows = rows.filter(commitment__signed_at__isnull=not signed)
    return rows


def member_counts(*, association: Association) -> dict[str, int]:
    counts = member_pledges(association=association).aggregate(
        issued=Count("pk"), signed=Count("pk", filter=Q(commitment__signed_at__isnull=False))
    )
    return {**counts, "unsigned": counts["issued"] - counts["signed"]}
