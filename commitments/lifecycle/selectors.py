"""Reads of commitments for a given viewer: authorisation and query shape live here, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import (
    WITHDRAWN_BY_DEFAULT,
    Commitment,
    VerificationExemption,
)
from commitments.obligations.models import Obligation
from credit.record import selectors as credit_selectors
from credit.record.models.breaches import BreachSourceKind
from directory.audit import SYSTEM_USERNAME
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
        raise CommitmentError(ErrorCode.NOT_FOUND, gettext("No such commitment.")) from None


class TimelineEvent(models.TextChoices):
    """What happened to a commitment, as a code: the timeline says it in the reader's language
    from the code, never from the prose a service stored as the history's reason."""

    CREATED = "created", _("draft created")
    EDITED = "edited", _("draft edited")
    SIGNED = "signed", _("signed")
    VERIFICATION_OPENED = "verification_opened", _("sent for verification")
    FULFILLED = "fulfilled", _("verified: fulfilled")
    BREACHED = "breached", _("verified: breached")
    WITHDRAWN = "withdrawn", _("withdrawn")
    APPROVAL_CONSEQUENCE = "approval_consequence", _("consequence for the approval")
    EXEMPTED = "exempted", _("exempted from verification")
    EXEMPTION_DRAWN = "exemption_drawn", _("exempt, drawn for an on-site spot check")
    EXEMPT = "exempt", _("closed as exempt from verification")
    EXEMPTION_WITHDRAWN = "exemption_withdrawn", _("exemption ended by the withdrawal")
    CHANGED = "changed", _("changed")
    # Said by the verification process's own timeline source (``TIMELINE_SOURCES``).
    RECTIFICATION_ORDERED = "rectification_ordered", _("rectification ordered")
    RECTIFICATION_SUBMITTED = "rectification_submitted", _("rectification submitted")
    RECTIFICATION_LAPSED = "rectification_lapsed", _("rectification deadline passed")


_EVENT_OF_STATUS = {
    Commitment.Status.SIGNED: TimelineEvent.SIGNED,
    Commitment.Status.UNDER_VERIFICATION: TimelineEvent.VERIFICATION_OPENED,
    Commitment.Status.FULFILLED: TimelineEvent.FULFILLED,
    Commitment.Status.BREACHED: TimelineEvent.BREACHED,
    Commitment.Status.WITHDRAWN: TimelineEvent.WITHDRAWN,
    Commitment.Status.EXEMPT: TimelineEvent.EXEMPT,
}


def timeline_event(*, from_status: str | None, to_status: str) -> TimelineEvent:
    """The event code of one recorded change, from the state it left and the state it reached."""
    if from_status is None:
        return TimelineEvent.CREATED
    if from_status == to_status:
        return (
            TimelineEvent.EDITED if to_status == Commitment.Status.DRAFT else TimelineEvent.CHANGED
        )
    return _EVENT_OF_STATUS.get(to_status, TimelineEvent.CHANGED)


def commitment_timeline(*, commitment: Commitment) -> list[dict]:
    """Every recorded change of the commitment, oldest first: who, when, what (as an event
    code), and why."""
    entries: list[dict] = []
    previous_status = None
    for row in commitment.history.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        entries.append(
            {
                "at": row.history_date,
                "actor": row.history_user,
                "event": timeline_event(from_status=previous_status, to_status=row.status),
                "from_status": previous_status,
                "to_status": row.status,
                "reason": (
                    row.withdrawal_reason
                    if row.status == Commitment.Status.WITHDRAWN and row.withdrawal_reason
                    else row.history_change_reason or ""
                ),
                "kind": "commitment",
            }
        )
        previous_status = row.status
    for source in TIMELINE_SOURCES:
        entries += source(commitment)
    for consequence in commitment.approval_consequences.select_related("recorded_by", "obligation"):
        entries.append(
            {
                "at": consequence.recorded_at,
                "actor": consequence.recorded_by,
                "event": TimelineEvent.APPROVAL_CONSEQUENCE,
                "from_status": None,
                "to_status": consequence.consequence,
                "reason": consequence.obligation.title,
                "kind": "approval_consequence",
            }
        )
    entries += _exemption_entries(commitment)
    entries.sort(key=lambda e: e["at"])
    return entries


def _exemption_entries(commitment: Commitment) -> list[dict]:
    """The exemption (which rule, which grade, by whom) and a draw that picked it (ADR 0032)."""
    exemption = (
        VerificationExemption.objects.filter(commitment=commitment)
        .select_related("exempted_by", "rule", "withdrawn_by")
        .first()
    )
    if exemption is None:
        return []
    values = {
        "grade": exemption.grade,
        "basis": exemption.rule.legal_basis,
        "rule": exemption.rule_id,
    }
    entries = [
        {
            "at": exemption.exempted_at,
            "actor": exemption.exempted_by,
            "event": TimelineEvent.EXEMPTED,
            "from_status": None,
            "to_status": exemption.status,
            "reason": exemption.reason,
            "kind": "exemption",
            "sentence": _EXEMPTED_DRAWABLE if exemption.spot_checks_drawn else _EXEMPTED,
            "values": values,
        }
    ]
    if exemption.drawn_at is not None:
        entries.append(
            {
                "at": exemption.drawn_at,
                "actor": None,
                "event": TimelineEvent.EXEMPTION_DRAWN,
                "from_status": VerificationExemption.Status.OPEN,
                "to_status": VerificationExemption.Status.DRAWN,
                "reason": f"draw {exemption.draw_number}",
                "kind": "exemption",
                "sentence": _EXEMPTION_DRAWN,
                "values": {"draw": exemption.draw_number},
            }
        )
    if exemption.withdrawn_at is not None:
        entries.append(
            {
                "at": exemption.withdrawn_at,
                "actor": exemption.withdrawn_by,
                "event": TimelineEvent.EXEMPTION_WITHDRAWN,
                "from_status": exemption.withdrawn_from,
                "to_status": VerificationExemption.Status.WITHDRAWN,
                "reason": exemption.withdrawal_reason,
                "kind": "exemption",
                "sentence": _EXEMPTION_WITHDRAWN,
            }
        )
    return entries


# Processes above the domain add their own events to a commitment's timeline (a rectification
# order, say) at start-up: each source gives entries like ``commitment_timeline``'s, with the
# sentence to say (``sentence``, lazy gettext with ``%(who)s``/``%(when)s``) and its ``values``.
TIMELINE_SOURCES: list = []
# And what happens next when one of them holds the commitment (the first non-empty answer).
NEXT_STEP_SOURCES: list = []


_SENTENCES = {
    TimelineEvent.CREATED: _("%(who)s created the draft on %(when)s."),
    TimelineEvent.EDITED: _("%(who)s edited the draft on %(when)s."),
    TimelineEvent.SIGNED: _("%(who)s signed the commitment on %(when)s."),
    TimelineEvent.VERIFICATION_OPENED: _(
        "On %(when)s the commitment was sent to %(department)s for verification."
    ),
    TimelineEvent.FULFILLED: _("%(who)s verified the commitment on %(when)s: it is fulfilled."),
    TimelineEvent.BREACHED: _("%(who)s verified the commitment on %(when)s: it is not fulfilled."),
    TimelineEvent.WITHDRAWN: _("%(who)s withdrew the commitment on %(when)s."),
    TimelineEvent.EXEMPT: _(
        "On %(when)s the verification window closed: the commitment is exempt from "
        "verification and was not verified."
    ),
}
_EXEMPTED = _(
    "On %(when)s the commitment was exempted from verification: the subject is grade "
    "%(grade)s and the matter's rule allows it (%(basis)s)."
)
_EXEMPTED_DRAWABLE = _(
    "On %(when)s the commitment was exempted from verification: the subject is grade "
    "%(grade)s and the matter's rule allows it (%(basis)s). It may still be drawn for an "
    "on-site spot check until its verification window closes."
)
_EXEMPTION_DRAWN = _(
    "On %(when)s the exempt commitment was drawn for an on-site spot check (draw %(draw)s): "
    "it is verified after all."
)
_EXEMPTION_WITHDRAWN = _(
    "On %(when)s the exemption from verification ended: %(who)s withdrew the commitment "
    "before the decision."
)
_CONSEQUENCE_SENTENCES = {
    "suspend": _(
        "On %(when)s the approval was suspended: the item “%(item)s” was not supplied in time."
    ),
    "revoke": _(
        "On %(when)s the approval was revoked: the item “%(item)s” was not supplied in time."
    ),
}
_WITHDRAWN_SIGNED = _(
    "%(who)s withdrew the signed commitment on %(when)s, before the decision; the case "
    "returns to the ordinary procedure (proof up front)."
)


def _when(at) -> str:
    """A moment in China Standard Time with the year, as people in the city read it."""
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _who(actor) -> str:
    if actor is None or actor.get_username() == SYSTEM_USERNAME:
        return str(_("The platform"))
    return actor.get_username()


def timeline_sentences(*, commitment: Commitment, with_bookkeeping: bool = False) -> list[dict]:
    """The commitment's timeline as sentences that say what a person did, who and when.

    Changes that are not an event a reader follows (bookkeeping on a signed commitment) are
    left out unless ``with_bookkeeping`` (the API keeps every row, labelled by its code);
    nothing from a scheduler or a workflow engine is shown.
    """
    department = commitment.department.name if commitment.department_id else ""
    sentences = []
    for entry in commitment_timeline(commitment=commitment):
        sentence = entry.get("sentence") or _SENTENCES.get(entry["event"])
        if entry["event"] == TimelineEvent.APPROVAL_CONSEQUENCE:
            sentence = _CONSEQUENCE_SENTENCES.get(entry["to_status"])
        elif entry["event"] == TimelineEvent.WITHDRAWN and entry["from_status"] in (
            Commitment.Status.SIGNED,
            Commitment.Status.UNDER_VERIFICATION,
        ):
            sentence = _WITHDRAWN_SIGNED
        if sentence is None:
            if with_bookkeeping:
                sentences.append({**entry, "text": str(entry["event"].label)})
            continue
        values = {
            "who": _who(entry["actor"]),
            "when": _when(entry["at"]),
            "department": department,
            "item": entry.get("reason", ""),
        }
        values.update(entry.get("values", {}))
        sentences.append({**entry, "text": sentence % values, "words": _own_words(entry)})
    return sentences


def _own_words(entry: dict) -> str:
    """The reason a person typed for a withdrawal or a finding (quoted as written), if any."""
    if entry["event"] == TimelineEvent.WITHDRAWN and entry["reason"] != WITHDRAWN_BY_DEFAULT:
        return entry["reason"]
    if entry["event"] in (TimelineEvent.FULFILLED, TimelineEvent.BREACHED):
        return entry["reason"].partition(" — ")[2]
    return ""


def timeline_next_step(*, commitment: Commitment) -> str:
    """What happens next to the commitment, and by when, in a sentence (empty when nothing does)."""
    for source in NEXT_STEP_SOURCES:
        if step := source(commitment):
            return step
    status = commitment.status
    if status == Commitment.Status.DRAFT:
        return str(_("Next: check the draft and sign it; nothing is submitted until you sign."))
    if status == Commitment.Status.WITHDRAWN and commitment.is_signed:
        return str(_("Next: apply through the ordinary procedure, with the full proof up front."))
    if status == Commitment.Status.SIGNED and commitment.published_until:
        return str(
            _("The commitment is published on the portal until %(day)s; it is not verified.")
            % {"day": commitment.published_until.isoformat()}
        )
    exemption = getattr(commitment, "exemption", None) if status == "under_verification" else None
    if exemption is not None and exemption.status == VerificationExemption.Status.OPEN:
        return str(
            _(
                "Exempt from verification: nothing to do unless it is drawn for an on-site "
                "spot check before %(when)s."
            )
            % {"when": _when(commitment.verification_due_at)}
        )
    if status in (Commitment.Status.SIGNED, Commitment.Status.UNDER_VERIFICATION):
        if commitment.department_id and commitment.verification_due_at:
            return str(
                _("Next: %(department)s verifies the commitment by %(when)s.")
                % {
                    "department": commitment.department.name,
                    "when": _when(commitment.verification_due_at),
                }
            )
        return str(_("Next: the competent department verifies the commitment."))
    if status == Commitment.Status.BREACHED:
        return str(
            _(
                "Next: the breach is entered in the credit record; you may object to it or, "
                "once you have corrected it, apply for credit repair."
            )
        )
    return ""


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


def commitment_breaches(*, commitment: Commitment) -> list[credit_selectors.BreachReading]:
    """The breaches recorded against the commitment or one of its obligations, newest first,
    with what each means for the subject."""
    obligation_ids = list(commitment.obligations.values_list("pk", flat=True))
    breaches = credit_selectors.subject_breaches(
        subject_ids=[commitment.subject_id], counting_only=False
    ).filter(
        Q(source_kind=BreachSourceKind.COMMITMENT, source_id=commitment.pk)
        | Q(source_kind=BreachSourceKind.OBLIGATION, source_id__in=obligation_ids)
    )
    return credit_selectors.breach_readings(breaches=list(breaches))


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
    breaches: list[credit_selectors.BreachReading] = field(default_factory=list)
    # What processes above the domain ask of the applicant (``HOME_SOURCES``): text and link.
    notices: list[dict] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(
            self.drafts
            or self.obligations_overdue
            or self.obligations_due_soon
            or self.breaches
            or self.notices
        )


# Processes above the domain add what they ask of the applicant to its home at start-up:
# each source takes the user and gives ``{"text": ..., "link": ...}`` items.
HOME_SOURCES: list = []


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
    home.breaches = credit_selectors.breach_readings(
        breaches=list(credit_selectors.subject_breaches(subject_ids=subject_ids)), on=today
    )
    home.notices = [notice for source in HOME_SOURCES for notice in source(user)]
    return home
