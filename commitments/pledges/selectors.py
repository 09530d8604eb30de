"""Reads of bidding pledges and tenders, scoped to the viewer: a representative sees its
subjects' pledges, a member of a tendering authority the pledges for that authority's
tenders; anything else does not exist for them. Also what a pledge needs to know of the
credit record: a subject's black-list designation and the pledge defaulters' list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode
from commitments.pledges.models import BidPledge, Tender
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from credit.record.services.pledge_defaulters import PLEDGE_DEFAULTERS
from directory.models import Department, RegulatorMembership
from directory.selectors import subject_list


def black_list_entry_of(*, subject_id: int) -> ListEntry | None:
    """The subject's current black-list designation, if any."""
    return (
        ListEntry.objects.filter(
            subject_id=subject_id,
            status=ListEntry.Status.LISTED,
            credit_list__kind=CreditList.Kind.BLACK,
        )
        .select_related("credit_list")
        .order_by("entered_on", "pk")
        .first()
    )


def pledge_defaulters_list() -> CreditList | None:
    """The pledge defaulters' black list (seeded with the credit record), if present."""
    return CreditList.objects.filter(code=PLEDGE_DEFAULTERS).first()


def authority_department_ids(*, user: AbstractBaseUser) -> list[int]:
    """The departments in which the user holds an active seat."""
    return list(
        RegulatorMembership.objects.filter(user=user, is_active=True)
        .order_by("department_id")
        .values_list("department_id", flat=True)
    )


def authority_departments(*, user: AbstractBaseUser) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=authority_department_ids(user=user)).order_by("name")


def _pledges() -> QuerySet[BidPledge]:
    return BidPledge.objects.select_related(
        "tender", "tender__department", "subject", "commitment", "list_entry"
    )


def pledge_list(*, visible_to: AbstractBaseUser) -> QuerySet[BidPledge]:
    """Pledges of subjects the user represents and pledges for its departments' tenders."""
    represented = subject_list(represented_by=visible_to).values("pk")
    return _pledges().filter(
        Q(subject_id__in=represented)
        | Q(tender__department_id__in=authority_department_ids(user=visible_to))
    )


def pledge_list_of_subjects(*, represented_by: AbstractBaseUser) -> QuerySet[BidPledge]:
    represented = subject_list(represented_by=represented_by).values("pk")
    return _pledges().filter(subject_id__in=represented)


def pledge_list_for_authority(*, member: AbstractBaseUser) -> QuerySet[BidPledge]:
    return _pledges().filter(tender__department_id__in=authority_department_ids(user=member))


def _found(queryset: QuerySet[BidPledge], pk) -> BidPledge:
    pledge = queryset.filter(pk=pk).first()
    if pledge is None:
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such pledge."), field="pledge")
    return pledge


def pledge_get(*, pk, visible_to: AbstractBaseUser) -> BidPledge:
    return _found(pledge_list(visible_to=visible_to), pk)


def pledge_get_for_subject(*, pk, represented_by: AbstractBaseUser) -> BidPledge:
    return _found(pledge_list_of_subjects(represented_by=represented_by), pk)


def pledge_get_for_authority(*, pk, member: AbstractBaseUser) -> BidPledge:
    return _found(pledge_list_for_authority(member=member), pk)


def tender_list_open(*, now: datetime | None = None) -> QuerySet[Tender]:
    """Tenders still taking bids, soonest deadline first."""
    return (
        Tender.objects.filter(bid_deadline__gt=now or timezone.now())
        .select_related("department")
        .order_by("bid_deadline", "pk")
    )


def tender_list_for_authority(*, member: AbstractBaseUser) -> QuerySet[Tender]:
    return Tender.objects.filter(
        department_id__in=authority_department_ids(user=member)
    ).select_related("department")


@dataclass(frozen=True)
class PledgeEvent:
    at: datetime
    actor: str
    status: str
    status_display: str
    reason: str


def pledge_history(*, pledge: BidPledge) -> list[PledgeEvent]:
    """Every recorded change of the pledge, oldest first."""
    return [
        PledgeEvent(
            at=row.history_date,
            actor=row.history_user.get_username() if row.history_user else "",
            status=row.status,
            status_display=str(BidPledge.Status(row.status).label),
            reason=row.history_change_reason or "",
        )
        for row in pledge.history.order_by("history_date", "history_id").select_related(
            "history_user"
        )
    ]
