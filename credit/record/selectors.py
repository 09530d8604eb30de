"""Reads of the credit record: the rule set in force, exclusions, grades and the record itself
as the subject or the public may see it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from credit.errors import CreditError, CreditErrorCode
from credit.record.models.base import RuleDomain, Severity
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.notices import RepairNotice
from credit.record.models.rules import (
    BreachCategory,
    ConsequenceRule,
    CreditList,
    GradeRule,
    MeasureType,
    PublicityRule,
    RepairRule,
    RuleSet,
)
from credit.record.rules import PublicityWindow, Standing, add_months, grade_from, publicity_window
from directory.compiled import CompiledQuery
from directory.models import Subject

AUDIENCE_SUBJECT = "subject"
AUDIENCE_PUBLIC = "public"


# Rules --------------------------------------------------------------------------------------


def rule_set_in_force(*, on: date, domain: str = RuleDomain.GENERAL) -> RuleSet:
    """The rule set governing a record made ``on`` a day in a domain.

    A sector's own rule set (e.g. SAMR Order 107 for market regulation) applies from its
    start; before it, or in a domain without one, the general rule set in force applies.
    """
    in_force = (
        RuleSet.objects.filter(effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("-effective_from", "-pk")
    )
    rule_set = in_force.filter(domain=domain).first()
    if rule_set is None and domain != RuleDomain.GENERAL:
        rule_set = in_force.filter(domain=RuleDomain.GENERAL).first()
    if rule_set is None:
        raise CreditError(
            CreditErrorCode.NO_RULE_SET,
            _("No credit rule set is in force on %(day)s.") % {"day": on.isoformat()},
            field="record_date",
        )
    return rule_set


def publicity_rule_for(*, rule_set: RuleSet, severity: str, group: str = "") -> PublicityRule:
    """The publicity rule for a severity: the group's own rule first, then the general one."""
    rules = {
        r.group: r
        for r in PublicityRule.objects.filter(
            rule_set=rule_set, severity=severity, group__in={group, ""}
        )
    }
    rule = rules.get(group) or rules.get("")
    if rule is None:
        raise CreditError(
            CreditErrorCode.NO_RULE_SET,
            _("%(rule_set)s has no publicity rule for %(severity)s breaches.")
            % {"rule_set": rule_set.name, "severity": Severity(severity).label},
            field="severity",
        )
    return rule


def breach_category_get(*, code: str) -> BreachCategory:
    try:
        return BreachCategory.objects.get(code=code)
    except BreachCategory.DoesNotExist:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("There is no breach category %(code)s.") % {"code": code},
            field="category_code",
        ) from None


def consequence_rules_for(*, category: BreachCategory, severity: str) -> list[ConsequenceRule]:
    """The catalogue's consequence rules for a breach, one per measure type: a category's own
    rule and a general one for the same measure — the heavier deduction wins."""
    rules = (
        ConsequenceRule.objects.filter(severity=severity, measure_type__is_active=True)
        .filter(Q(category__isnull=True) | Q(category=category))
        .select_related("measure_type")
        .order_by("measure_type__code", "pk")
    )
    by_type: dict[int, ConsequenceRule] = {}
    for rule in rules:
        kept = by_type.get(rule.measure_type_id)
        if kept is None or rule.points > kept.points:
            by_type[rule.measure_type_id] = rule
    return list(by_type.values())


@dataclass(frozen=True)
class MeasureConsequence:
    """One measure a breach would bring: its type, the points it deducts, when it ends
    (None: until the record is repaired, or without an end)."""

    measure_type: MeasureType
    points: int
    ends_on: date | None


@dataclass(frozen=True)
class BreachConsequences:
    """What recording a breach on a day triggers under the rules in force: shown to the
    official before the breach is confirmed, and applied by ``breach_record``."""

    category: BreachCategory
    severity: str
    rule_set: RuleSet
    window: PublicityWindow
    measures: list[MeasureConsequence]

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)


def breach_consequences(
    *, category_code: str, severity: str | None = None, on: date | None = None
) -> BreachConsequences:
    """The rule set, publicity window and measures a breach of a category would bring if
    recorded ``on`` a day (today by default), at ``severity`` (the category's default)."""
    category = breach_category_get(code=category_code)
    severity = severity or category.default_severity
    on = on or timezone.localdate()
    rule_set = rule_set_in_force(on=on, domain=category.domain)
    rule = publicity_rule_for(rule_set=rule_set, severity=severity, group=category.publicity_group)
    window = publicity_window(
        record_date=on,
        is_published=rule.is_published,
        min_months=rule.min_months,
        max_months=rule.max_months,
    )
    measures = []
    for consequence in consequence_rules_for(category=category, severity=severity):
        kind = consequence.measure_type
        ends_on = None
        if not kind.lasts_until_repaired and kind.duration_months:
            ends_on = add_months(on, kind.duration_months)
        points = consequence.points if kind.kind == MeasureType.Kind.POINT_DEDUCTION else 0
        measures.append(MeasureConsequence(measure_type=kind, points=points, ends_on=ends_on))
    return BreachConsequences(
        category=category, severity=severity, rule_set=rule_set, window=window, measures=measures
    )


# Exclusion and grade ------------------------------------------------------------------------


def measures_in_force(queryset: QuerySet[Measure], on: date) -> QuerySet[Measure]:
    """The measures of ``queryset`` in force on a day."""
    return queryset.filter(status=Measure.Status.ACTIVE, starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=on)
    )


def subject_is_excluded(*, subject_id: int, on: date | None = None) -> Measure | None:
    """The measure that takes commit-instead-of-prove away from the subject, or ``None``.

    Truthy when the subject is excluded; the measure names why and until when.
    """
    on = on or timezone.localdate()
    return (
        measures_in_force(Measure.objects.filter(subject_id=subject_id), on)
        .filter(measure_type__kind=MeasureType.Kind.NO_COMMITMENT)
        .select_related("measure_type", "breach")
        .order_by("starts_on", "pk")
        .first()
    )


def _exclusions(subject_ids: list[int], on: date) -> QuerySet[Measure]:
    return (
        measures_in_force(Measure.objects.filter(subject_id__in=subject_ids), on)
        .filter(measure_type__kind=MeasureType.Kind.NO_COMMITMENT)
        .select_related("measure_type", "breach")
        .order_by("subject_id", "starts_on", "pk")
    )


# Asked for every draft made: compiled once (directory.compiled).
_EXCLUSIONS_OF_ONE = CompiledQuery(
    lambda subject_id, on: _exclusions([subject_id], on), -1_730_100_102, date(1, 1, 3)
)


def subjects_excluded(*, subject_ids: list[int], on: date | None = None) -> dict[int, Measure]:
    """``subject_is_excluded`` for many subjects in one query: each excluded subject's
    earliest measure (the same one ``subject_is_excluded`` names), by subject id."""
    on = on or timezone.localdate()
    if len(subject_ids) == 1:  # one draft: the statement compiled once
        measures = _EXCLUSIONS_OF_ONE.models(next(iter(subject_ids)), on)
    else:
        measures = _exclusions(subject_ids, on)
    excluded: dict[int, Measure] = {}
    for measure in measures:
        excluded.setdefault(measure.subject_id, measure)
    return excluded


GRADE_RULES_TTL = 60.0  # seconds
_grade_rules_cache: dict[date, tuple[float, list[GradeRule]]] = {}


# Read inside every transaction that indexes a task (the cache serves autocommit only): the
# statement compiled once (directory.compiled).
_GRADE_RULES = CompiledQuery(
    lambda on: GradeRule.objects.filter(effective_from__lte=on).order_by(
        "-effective_from", "position"
    ),
    date(1, 1, 3),
)


def grade_rules_in_force(*, on: date) -> list[GradeRule]:
    """The grade rules of the latest set in force (one query, or none from the cache).

    Grade rules change a few times a year and are read on every "check every case", so each
    process keeps them per day for ``GRADE_RULES_TTL`` seconds: an edit in the admin takes
    effect everywhere within a minute, which is acceptable for rules that carry an effective
    date anyway. Inside a transaction (an admin edit, a service, a test) the cache is neither
    read nor filled, so nothing uncommitted or rolled back is ever served from it.
    """
    use_cache = not connection.in_atomic_block
    if use_cache:
        hit = _grade_rules_cache.get(on)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
    rules = _GRADE_RULES.models(on)
    rules = [r for r in rules if r.effective_from == rules[0].effective_from] if rules else []
    if use_cache:
        if len(_grade_rules_cache) > 16:
            _grade_rules_cache.clear()
        _grade_rules_cache[on] = (time.monotonic() + GRADE_RULES_TTL, rules)
    return rules


def grade_rules_cache_clear() -> None:
    _grade_rules_cache.clear()


def breach_count_annotations(subject_ref: str = "pk") -> dict:
    """Annotations giving a subject queryset its counting and serious breaches."""
    counting = Breach.objects.filter(
        subject_id=OuterRef(subject_ref), status__in=Breach.COUNTING
    ).order_by()
    per_subject = counting.values("subject_id")
    return {
        "breaches_counting": Coalesce(
            Subquery(per_subject.annotate(n=Count("pk")).values("n")[:1]), 0
        ),
        "breaches_serious": Coalesce(
            Subquery(
                per_subject.filter(severity=Severity.SERIOUS)
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    }


def breach_counts(*, subject_id: int) -> tuple[int, int]:
    """The subject's breaches that count, and the serious ones among them."""
    counts = Breach.objects.filter(subject_id=subject_id, status__in=Breach.COUNTING).aggregate(
        total=Count("pk"), serious=Count("pk", filter=Q(severity=Severity.SERIOUS))
    )
    return counts["total"], counts["serious"]


def _standing_query(subject_id: int, on: date) -> QuerySet:
    points = (
        measures_in_force(Measure.objects.filter(subject_id=OuterRef("pk")), on)
        .order_by()
        .values("subject_id")
        .annotate(total=Sum("points"))
        .values("total")[:1]
    )
    return (
        Subject.objects.filter(pk=subject_id)
        .annotate(
            **breach_count_annotations(),
            points_deducted=Coalesce(Subquery(points), 0),
            is_blacklisted=Exists(
                ListEntry.objects.filter(
                    subject_id=OuterRef("pk"),
                    status=ListEntry.Status.LISTED,
                    credit_list__kind=CreditList.Kind.BLACK,
                )
            ),
        )
        .values_list("breaches_counting", "breaches_serious", "points_deducted", "is_blacklisted")
    )


# Read for every verification task the queue indexes: compiled once, bound on each call.
_STANDING = CompiledQuery(_standing_query, -1_730_100_101, date(1, 1, 3))


def subject_standing(*, subject_id: int, on: date | None = None) -> Standing:
    """Points deducted, breaches that count, serious ones and black-listing, on a day (one
    query on the subject's row with correlated subqueries)."""
    rows = _STANDING.values(subject_id, on or timezone.localdate())
    if not rows:
        return Standing()
    breaches, serious, points, blacklisted = rows[0]
    return Standing(
        points=points, breaches=breaches, serious=serious, blacklisted=bool(blacklisted)
    )


def risk_grade(*, subject_id: int, on: date | None = None) -> str:
    """The subject's risk grade, A (lowest risk) to D, by the grade rules in force (two
    queries)."""
    on = on or timezone.localdate()
    return grade_from(subject_standing(subject_id=subject_id, on=on), grade_rules_in_force(on=on))


# The record ---------------------------------------------------------------------------------


@dataclass
class CreditRecord:
    """A subject's credit record as one audience may see it."""

    audience: str
    on: date
    breaches: list[Breach] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    list_entries: list[ListEntry] = field(default_factory=list)
    grade: str | None = None

    @property
    def is_public(self) -> bool:
        return self.audience == AUDIENCE_PUBLIC


def credit_record(*, subject_id: int, audience: str, on: date | None = None) -> CreditRecord:
    """The subject's record: everything for the subject itself; for the public only what the
    rule set in force on the record date lets be published, and only while it may be."""
    if audience not in (AUDIENCE_SUBJECT, AUDIENCE_PUBLIC):
        raise ValueError(f"unknown audience {audience!r}")
    on = on or timezone.localdate()
    breaches = list(
        Breach.objects.filter(subject_id=subject_id)
        .select_related("category", "rule_set", "recorded_by", "repair_notice")
        .order_by("-record_date", "-pk")
    )
    measures = list(
        Measure.objects.filter(subject_id=subject_id)
        .select_related("measure_type")
        .order_by("-starts_on", "-pk")
    )
    entries = list(
        ListEntry.objects.filter(subject_id=subject_id)
        .select_related("credit_list")
        .order_by("-pk")
    )
    if audience == AUDIENCE_SUBJECT:
        return CreditRecord(
            audience=audience,
            on=on,
            breaches=breaches,
            measures=measures,
            list_entries=entries,
            grade=risk_grade(subject_id=subject_id, on=on),
        )
    public_breaches = [b for b in breaches if b.is_public_on(on)]
    public_ids = {b.pk for b in public_breaches}
    return CreditRecord(
        audience=audience,
        on=on,
        breaches=public_breaches,
        measures=[m for m in measures if m.breach_id in public_ids and m.is_in_force(on)],
        # Designations are public while they last; a prior notice is not a designation.
        list_entries=[e for e in entries if e.status == ListEntry.Status.LISTED],
    )


# What a breach means for the subject ----------------------------------------------------------


@dataclass(frozen=True)
class BreachReading:
    """One breach as its subject needs to read it: the measures it brought, how long it is
    public, and whether the subject may now object or apply for repair (the repair pages
    check every rule again when the subject applies)."""

    breach: Breach
    measures: list[Measure]
    is_repairable: bool
    repair_from: date
    may_repair_now: bool
    may_object: bool
    notice: RepairNotice | None = None


def breach_readings(*, breaches: list[Breach], on: date | None = None) -> list[BreachReading]:
    """The consequences of each breach, with two queries whatever the number of breaches."""
    on = on or timezone.localdate()
    if not breaches:
        return []
    measures: dict[int, list[Measure]] = {}
    for measure in (
        Measure.objects.filter(breach__in=breaches)
        .select_related("measure_type")
        .order_by("starts_on", "pk")
    ):
        measures.setdefault(measure.breach_id, []).append(measure)
    rules = {
        rule.category_id: rule.is_repairable
        for rule in RepairRule.objects.filter(
            Q(category_id__in={b.category_id for b in breaches}) | Q(category__isnull=True)
        )
    }
    notices = {
        notice.breach_id: notice for notice in RepairNotice.objects.filter(breach__in=breaches)
    }
    results = []
    for breach in breaches:
        is_repairable = rules.get(breach.category_id, rules.get(None, True))
        is_live = breach.status in Breach.LIVE
        results.append(
            BreachReading(
                breach=breach,
                measures=measures.get(breach.pk, []),
                is_repairable=is_repairable,
                repair_from=breach.publicity_min_until,
                may_repair_now=is_live and is_repairable and on >= breach.publicity_min_until,
                may_object=is_live,
                notice=notices.get(breach.pk),
            )
        )
    return results


def subject_breaches(*, subject_ids, counting_only: bool = True) -> QuerySet[Breach]:
    """The breaches of these subjects (by default those that still weigh), newest first."""
    rows = Breach.objects.filter(subject_id__in=subject_ids)
    if counting_only:
        rows = rows.filter(status__in=Breach.COUNTING)
    return rows.select_related("category", "rule_set", "subject").order_by("-record_date", "-pk")
