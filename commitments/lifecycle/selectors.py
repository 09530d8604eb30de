"""Reads of commitments for a given viewer: authorisation and query shape live here, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation
from credit.record import selectors as credit_selectors
from credit.record.models.breaches import BreachSourceKind
from directory.calendar import add_working_days
from directory.models import Subject
from directory.selectors import department_ids_of, subject_list, subject_list_for_drafts

# "Due soon" on the applicant's home: within this many working days.
DUE_SOON_WORKING_DAYS = 5


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


def commitment_breaches(*, commitment: Commitment) -> list[credit_selectors.BreachConsequences]:
    """The breaches recorded against the commitment or one of its obligations, newest first,
    with what each means for the subject."""
    obligation_ids = list(commitment.obligations.values_list("pk", flat=True))
    breaches = credit_selectors.subject_breaches(
        subject_ids=[commitment.subject_id], counting_only=False
    ).filter(
        Q(source_kind=BreachSourceKind.COMMITMENT, source_id=commitment.pk)
        | Q(source_kind=BreachSourceKind.OBLIGATION, source_id__in=obligation_ids)
    )
    return credit_selectors.breach_consequences(breaches=list(breaches))


@dataclass
class ApplicantHome:
    """What the applicant has to do next, counted over its own subjects' rows only."""

    drafts: int = 0
    awaiting_verification: int = 0
    breached: int = 0
    obligations_overdue: int = 0
    obligations_due_soon: int = 0
    due_soon_until: date | None = None
    due_soon_days: int = DUE_SOON_WORKING_DAYS
    subjects: list[Subject] = field(default_factory=list)
    breaches: list[credit_selectors.BreachConsequences] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(
            self.drafts or self.obligations_overdue or self.obligations_due_soon or self.breaches
        )


def applicant_home(*, user: AbstractBaseUser, today: date | None = None) -> ApplicantHome:
    """Counts for the applicant's home: drafts to sign (its own), commitments awaiting
    verification and breached, obligations overdue or due within a few working days, and the
    breaches that still weigh on its subjects. A handful of indexed queries on its subjects."""
    today = today or timezone.localdate()
    home = ApplicantHome()
    if not user.is_authenticated:
        return home
    home.subjects = list(subject_list(represented_by=user).order_by("name", "pk"))
    subject_ids = [subject.pk for subject in home.subjects]
    counts = dict(
        Commitment.objects.filter(subject_id__in=subject_ids)
        .order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
    )
    home.drafts = (
        Commitment.objects.filter(
            Q(subject_id__in=subject_ids)
            | Q(subject__in=subject_list_for_drafts(user=user).values("pk"), created_by=user),
            status=Commitment.Status.DRAFT,
        )
        .order_by()
        .count()
    )
    home.awaiting_verification = counts.get(Commitment.Status.SIGNED, 0) + counts.get(
        Commitment.Status.UNDER_VERIFICATION, 0
    )
    home.breached = counts.get(Commitment.Status.BREACHED, 0)
    home.due_soon_until = add_working_days(today, DUE_SOON_WORKING_DAYS).due_date
    pending = Obligation.objects.filter(
        commitment__subject_id__in=subject_ids,
        status=Obligation.Status.PENDING,
        due_date__lte=home.due_soon_until,
    ).aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count("pk", filter=Q(due_date__gte=today)),
    )
    home.obligations_overdue = pending["overdue"]
    home.obligations_due_soon = pending["due_soon"]
    home.breaches = credit_selectors.breach_consequences(
        breaches=list(credit_selectors.subject_breaches(subject_ids=subject_ids)), on=today
    )
    return home
