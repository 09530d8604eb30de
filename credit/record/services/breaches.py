"""Recording a breach and its consequences: the measures of the catalogue, black-list prior
notices at the thresholds and the end of red-list entries.

Subjects are named by primary key and a breach's source by kind and number: the commitment
domain calls these services (``commitments.lifecycle.services.breaches``) and checks its own
rules first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credit.errors import CreditError, CreditErrorCode
from credit.opendata.models import OpenDataEvent
from credit.record import selectors
from credit.record.models.base import Severity
from credit.record.models.breaches import Breach, BreachSourceKind, ListEntry, Measure
from credit.record.models.rules import CreditList
from credit.record.services.notices import repair_notice_issue
from credit.record.services.opendata import breach_event, list_event
from directory.audit import audited_save
from directory.models import Subject


@dataclass(frozen=True)
class BreachOutcome:
    """What recording a breach did. ``created`` is False when the same breach (same
    obligation, or same commitment without an obligation) was already recorded: nothing
    else was done then."""

    breach: Breach
    created: bool
    measures: list[Measure] = field(default_factory=list)
    list_notices: list[ListEntry] = field(default_factory=list)
    list_exits: list[ListEntry] = field(default_factory=list)


@transaction.atomic
def breach_record(
    *,
    subject_id: int,
    category_code: str,
    severity: str,
    reason: str,
    by: AbstractBaseUser,
    source_kind: str = "",
    source_id: int | None = None,
    source_reference: str = "",
    department_id: int | None = None,
    legal_basis: str = "",
    record_date: date | None = None,
) -> BreachOutcome:
    """Record a breach under the rule set in force on the record date, apply the measures
    the catalogue attaches to it, send black-list prior notices at the thresholds and end
    red-list entries.

    ``source_kind``/``source_id`` name what was breached (a commitment, one of its
    obligations, a pledge, a penalty decision) without tying the record to the app that holds
    it; ``department_id`` is the designating department. Idempotent per source.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CreditError(CreditErrorCode.INVALID, _("A breach needs its reason."), field="reason")
    if severity not in Severity.values:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Severity must be minor, general or serious."),
            field="severity",
        )
    category = selectors.breach_category_get(code=category_code)
    # The subject's row serialises every change of its record (thresholds count breaches).
    if not list(Subject.objects.select_for_update().filter(pk=subject_id).values("pk")):
        raise CreditError(CreditErrorCode.NOT_FOUND, _("No such subject."), field="subject")
    if bool(source_kind) != (source_id is not None):
        raise CreditError(
            CreditErrorCode.INVALID,
            _("A breach's source needs both its kind and its number."),
            field="source_kind",
        )
    if source_kind and source_kind not in BreachSourceKind.values:
        raise CreditError(CreditErrorCode.INVALID, _("Unknown breach source."), field="source_kind")
    existing = (
        Breach.objects.filter(subject_id=subject_id, source_kind=source_kind, source_id=source_id)
        .order_by("pk")
        .first()
        if source_id is not None
        else None
    )
    if existing is not None:
        return BreachOutcome(breach=existing, created=False)

    on = record_date or timezone.localdate()
    consequences = selectors.breach_consequences(
        category_code=category.code, severity=severity, on=on
    )
    rule_set, window = consequences.rule_set, consequences.window
    breach = Breach(
        subject_id=subject_id,
        source_kind=source_kind,
        source_id=source_id,
        source_reference=source_reference,
        department_id=department_id,
        category=category,
        legal_basis=legal_basis or category.legal_basis,
        severity=severity,
        rule_set=rule_set,
        record_date=on,
        is_publishable=window.is_publishable,
        publicity_starts=window.starts,
        publicity_min_until=window.min_until,
        publicity_max_until=window.max_until,
        reason=reason,
        recorded_by=by,
    )
    audited_save(breach, by=by, reason=f"breach recorded under {rule_set.code}")
    if window.is_publishable and window.starts <= timezone.localdate() < window.max_until:
        breach.publish()
        audited_save(breach, by=by, reason="publication started")
        breach_event(
            kind=OpenDataEvent.Kind.PUBLICATION_STARTED,
            breach=breach,
            on=timezone.localdate(),
            by=by,
        )

    # 两书同达: the repair notice is written with the decision, in its transaction.
    repair_notice_issue(breach=breach, by=by)
    measures = _apply_consequences(breach=breach, consequences=consequences, by=by)
    notices = _black_list_notices(breach=breach, by=by)
    exits = _red_list_exits(breach=breach, by=by)
    return BreachOutcome(
        breach=breach, created=True, measures=measures, list_notices=notices, list_exits=exits
    )


def _apply_consequences(
    *, breach: Breach, consequences: selectors.BreachConsequences, by: AbstractBaseUser
) -> list[Measure]:
    measures = []
    for consequence in consequences.measures:
        measure = Measure(
            subject_id=breach.subject_id,
            breach=breach,
            measure_type=consequence.measure_type,
            points=consequence.points,
            starts_on=breach.record_date,
            ends_on=consequence.ends_on,
        )
        audited_save(
            measure, by=by, reason=f"applied from the catalogue: {consequence.measure_type.code}"
        )
        measures.append(measure)
    return measures


def _black_list_notices(*, breach: Breach, by: AbstractBaseUser) -> list[ListEntry]:
    """Open a black-list entry with its prior notice where a threshold is now reached."""
    lists = list(
        CreditList.objects.filter(kind=CreditList.Kind.BLACK, is_active=True)
        .filter(Q(entry_points_threshold__isnull=False) | Q(entry_serious_breaches__isnull=False))
        .exclude(entries__subject_id=breach.subject_id, entries__status__in=ListEntry.OPEN)
    )
    if not lists:
        return []
    standing = selectors.subject_standing(subject_id=breach.subject_id, on=breach.record_date)
    now = timezone.now()
    notices = []
    for credit_list in lists:
        reached = []
        if (
            credit_list.entry_points_threshold is not None
            and standing.points >= credit_list.entry_points_threshold
        ):
            reached.append(f"points deducted: {standing.points}")
        if (
            credit_list.entry_serious_breaches is not None
            and standing.serious >= credit_list.entry_serious_breaches
        ):
            reached.append(f"serious breaches: {standing.serious}")
        if not reached:
            continue
        entry = ListEntry(
            credit_list=credit_list,
            subject_id=breach.subject_id,
            breach=breach,
            reason="threshold reached: " + ", ".join(reached),
            prior_notice_sent_at=now,
            enter_not_before=breach.record_date + timedelta(days=credit_list.notice_days),
        )
        audited_save(entry, by=by, reason="prior notice of black-listing")
        notices.append(entry)
    return notices


def _red_list_exits(*, breach: Breach, by: AbstractBaseUser) -> list[ListEntry]:
    """A breach other than a minor one ends every red-list entry of the subject."""
    if breach.severity == Severity.MINOR:
        return []
    exits = []
    for entry in ListEntry.objects.select_for_update().filter(
        subject_id=breach.subject_id,
        status__in=ListEntry.OPEN,
        credit_list__kind=CreditList.Kind.RED,
    ):
        was_listed = entry.status == ListEntry.Status.LISTED
        entry.leave(on=breach.record_date)
        audited_save(entry, by=by, reason=f"left the red list: breach {breach.pk}")
        if was_listed:
            list_event(
                kind=OpenDataEvent.Kind.LIST_EXITED, entry=entry, on=breach.record_date, by=by
            )
        exits.append(entry)
    return exits
