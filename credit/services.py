"""Writes of the credit record: recording a breach and its consequences, black-listing after
prior notice, ending publication, logging the queries of other systems.

Subjects, commitments and obligations are named by primary key: the commitment domain calls
these services (``commitments.services.breaches``) and checks its own rules first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from rest_framework.authtoken.models import Token

from credit import selectors
from credit.errors import CreditError, CreditErrorCode
from credit.models import (
    Breach,
    BreachSourceKind,
    CallingSystem,
    CheckQuery,
    ConsequenceRule,
    CreditList,
    ListEntry,
    Measure,
    MeasureType,
    Severity,
)
from credit.rules import add_months, publicity_window
from directory.audit import audited_save, system_user


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
    subject_model = apps.get_model("directory", "Subject")
    # The subject's row serialises every change of its record (thresholds count breaches).
    if not list(subject_model.objects.select_for_update().filter(pk=subject_id).values("pk")):
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
    rule_set = selectors.rule_set_in_force(on=on, domain=category.domain)
    rule = selectors.publicity_rule_for(
        rule_set=rule_set, severity=severity, group=category.publicity_group
    )
    window = publicity_window(
        record_date=on,
        is_published=rule.is_published,
        min_months=rule.min_months,
        max_months=rule.max_months,
    )
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

    measures = _apply_consequences(breach=breach, by=by)
    notices = _black_list_notices(breach=breach, by=by)
    exits = _red_list_exits(breach=breach, by=by)
    return BreachOutcome(
        breach=breach, created=True, measures=measures, list_notices=notices, list_exits=exits
    )


def _apply_consequences(*, breach: Breach, by: AbstractBaseUser) -> list[Measure]:
    rules = (
        ConsequenceRule.objects.filter(severity=breach.severity, measure_type__is_active=True)
        .filter(Q(category__isnull=True) | Q(category=breach.category))
        .select_related("measure_type")
        .order_by("measure_type__code", "pk")
    )
    by_type: dict[int, ConsequenceRule] = {}
    for rule in rules:  # a category's own rule and a general one: the heavier deduction wins
        kept = by_type.get(rule.measure_type_id)
        if kept is None or rule.points > kept.points:
            by_type[rule.measure_type_id] = rule
    measures = []
    for rule in by_type.values():
        kind: MeasureType = rule.measure_type
        ends_on = None
        if not kind.lasts_until_repaired and kind.duration_months:
            ends_on = add_months(breach.record_date, kind.duration_months)
        measure = Measure(
            subject_id=breach.subject_id,
            breach=breach,
            measure_type=kind,
            points=rule.points if kind.kind == MeasureType.Kind.POINT_DEDUCTION else 0,
            starts_on=breach.record_date,
            ends_on=ends_on,
        )
        audited_save(measure, by=by, reason=f"applied from the catalogue: {kind.code}")
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
        entry.leave(on=breach.record_date)
        audited_save(entry, by=by, reason=f"left the red list: breach {breach.pk}")
        exits.append(entry)
    return exits


@transaction.atomic
def list_entry_enter(
    *, entry_id: int, by: AbstractBaseUser | None = None, on: date | None = None
) -> ListEntry:
    """Designate the subject once the prior notice period has passed."""
    on = on or timezone.localdate()
    entry = ListEntry.objects.select_for_update().select_related("credit_list").get(pk=entry_id)
    if not can_proceed(entry.enter):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This list entry is %(status)s.") % {"status": entry.get_status_display()},
            field="status",
        )
    if entry.prior_notice_sent_at is None or (
        entry.enter_not_before and on < entry.enter_not_before
    ):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("The prior notice period runs until %(day)s; the designation cannot start earlier.")
            % {"day": entry.enter_not_before},
            field="enter_not_before",
        )
    months = entry.credit_list.min_listing_months
    entry.enter(on=on, exit_not_before=add_months(on, months) if months else None)
    audited_save(entry, by=by or system_user(), reason="designated after prior notice")
    return entry


def list_entries_enter_due(*, on: date | None = None) -> int:
    """Designate every subject whose prior notice period has passed; returns how many."""
    on = on or timezone.localdate()
    due = ListEntry.objects.filter(
        status=ListEntry.Status.NOTICED, enter_not_before__lte=on
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due):
        try:
            list_entry_enter(entry_id=pk, on=on)
            done += 1
        except CreditError:  # moved on meanwhile (withdrawn, objected to)
            continue
    return done


@transaction.atomic
def red_list_enter(
    *, subject_id: int, list_code: str, by: AbstractBaseUser, reason: str, on: date | None = None
) -> ListEntry:
    """Put a subject on a red list (an officer's decision on the list's entry criteria)."""
    on = on or timezone.localdate()
    credit_list = CreditList.objects.filter(
        code=list_code, kind=CreditList.Kind.RED, is_active=True
    ).first()
    if credit_list is None:
        raise CreditError(CreditErrorCode.INVALID, _("No such red list."), field="list_code")
    if Breach.objects.filter(
        subject_id=subject_id, status__in=Breach.COUNTING, severity__in=["general", "serious"]
    ).exists():
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("A subject with a breach on its record cannot be put on a red list."),
            field="subject",
        )
    entry = ListEntry(
        credit_list=credit_list,
        subject_id=subject_id,
        reason=(reason or "").strip() or credit_list.entry_criteria,
        entered_on=on,
        status=ListEntry.Status.LISTED,
    )
    audited_save(entry, by=by, reason="red-listed")
    return entry


def breach_publication_end_due(*, on: date | None = None) -> int:
    """End the publication of every record past its maximum period, and expire measures
    whose duration is over; returns how many records stopped being published."""
    on = on or timezone.localdate()
    actor = system_user()
    ended = 0
    for pk in list(
        Breach.objects.filter(
            status=Breach.Status.PUBLISHED, publicity_max_until__lte=on
        ).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            breach = Breach.objects.select_for_update().get(pk=pk)
            if can_proceed(breach.end_publication):
                breach.end_publication()
                audited_save(breach, by=actor, reason="maximum publicity period reached")
                ended += 1
    for pk in list(
        Measure.objects.filter(status=Measure.Status.ACTIVE, ends_on__lte=on).values_list(
            "pk", flat=True
        )
    ):
        with transaction.atomic():
            measure = Measure.objects.select_for_update().get(pk=pk)
            if can_proceed(measure.expire):
                measure.expire(on=on)
                audited_save(measure, by=actor, reason="duration over")
    return ended


# Other systems ----------------------------------------------------------------------------


@transaction.atomic
def calling_system_register(
    *, code: str, name: str, username: str, by: AbstractBaseUser | None, operator: str = ""
) -> tuple[CallingSystem, str]:
    """Register another government system with its own API user; returns its token key."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise CreditError(
            CreditErrorCode.INVALID, _("This user name is already taken."), field="username"
        )
    user = user_model(username=username)
    user.set_unusable_password()
    user.save()
    system = CallingSystem(code=code, name=name, operator=operator, user=user)
    audited_save(system, by=by, reason="calling system registered")
    token, _created = Token.objects.get_or_create(user=user)
    return system, token.key


def check_query_log(
    *,
    calling_system: CallingSystem,
    subject_id: int | None,
    subject_code: str,
    matter_code: str,
    purpose: str,
    reason: str,
    answer: dict,
) -> CheckQuery:
    """Log one "check every case" query, whatever its answer.

    The caller has validated purpose and reason. This is the hottest write of the system, so
    it is one plain ``INSERT ... RETURNING`` (no ``full_clean``, no model save machinery;
    ``CheckQuery`` has no history: it is append-only). Every query is still logged.

    The row commits durably before the answer is sent (``synchronous_commit`` stays on): an
    asynchronous commit was measurably cheaper, but a database crash could then lose the log
    rows of answers already given, and this log is the record of who looked at whom.
    """
    asked_at = timezone.now()
    ops = connection.ops
    values = [
        calling_system.pk,
        subject_id,
        subject_code[:32],
        matter_code[:50],
        purpose,
        reason,
        ops.adapt_datetimefield_value(asked_at),
        ops.adapt_json_value(answer, None),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_check_query_insert_sql(), values)
        pk = cursor.fetchone()[0]
    return CheckQuery(
        pk=pk,
        calling_system=calling_system,
        subject_id=subject_id,
        subject_code=subject_code[:32],
        matter_code=matter_code[:50],
        purpose=purpose,
        reason=reason,
        asked_at=asked_at,
        answer=answer,
    )


_CHECK_QUERY_INSERT: list[str] = []


def _check_query_insert_sql() -> str:
    if _CHECK_QUERY_INSERT:
        return _CHECK_QUERY_INSERT[0]
    table = CheckQuery._meta.db_table
    columns = (
        "calling_system_id, subject_id, subject_code, matter_code, purpose, reason, asked_at, "
        "answer"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (table name from the model)
            "SELECT CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS TEXT), CAST(%s AS TEXT),"
            " CAST(%s AS TEXT), CAST(%s AS TEXT), %s, %s RETURNING id"
        )
    else:
        sql = (
            f"INSERT INTO {table} ({columns})"  # noqa: S608 (table name from the model)
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
        )
    _CHECK_QUERY_INSERT.append(sql)
    return sql
