"""Reads of special credit reports: what a report lists for a subject over a span (by
category), the fingerprint of that listing, and the reports a user may see.

Categories (the report's sections) map from the credit record:

- administrative penalties: breaches found in an administrative penalty decision;
- administrative coercive and joint disciplinary measures: measures of the catalogue that
  revoke an approval or that other departments apply;
- the serious-dishonesty lists: black-list designations;
- other records, by breach category: every other breach, one section per category, and
  the remaining measures (loss of commit-instead-of-prove, point deductions).

Revoked records (withdrawn as wrong on an objection) are not listed; repaired ones are, marked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from credit.record.models.base import Severity
from credit.record.models.breaches import (
    Breach,
    BreachSourceKind,
    ListEntry,
    Measure,
    legal_basis_shown,
)
from credit.record.models.rules import BreachCategory, CreditList, MeasureType, RuleSet
from credit.reports.models import CreditReport
from directory import selectors as directory_selectors
from directory.models import Department, Subject

PENALTIES = "penalties"
COERCIVE = "coercive"
LISTS = "serious_dishonesty_lists"
OTHER_MEASURES = "other_measures"
COERCIVE_KINDS = (MeasureType.Kind.REVOKE_APPROVAL, MeasureType.Kind.JOINT_MEASURE)


@dataclass(frozen=True, slots=True)
class ListedBreach:
    """A breach as a report lists it, read as values: a long record's rows are not model
    instances to build (a ``Breach`` is a state model whose construction costs about 20 µs,
    most of a 500-entry record's read). The attributes are the model's that the report
    prints and fingerprints, with its category, rule set and department."""

    pk: int
    status: str
    severity: str
    record_date: date
    reason: str
    legal_basis: str
    publicity_max_until: date
    source_kind: str
    category: BreachCategory
    rule_set: RuleSet
    department: Department | None

    @property
    def category_id(self) -> int:
        return self.category.pk

    @property
    def rule_set_id(self) -> int:
        return self.rule_set.pk

    @property
    def department_id(self) -> int | None:
        return self.department.pk if self.department is not None else None

    @property
    def legal_basis_display(self) -> str:
        return legal_basis_shown(self.category, self.legal_basis)

    def get_severity_display(self) -> str:
        """The severity's label, as ``Breach.get_severity_display`` gives it."""
        return str(dict(Severity.choices).get(self.severity, self.severity))

    def get_status_display(self) -> str:
        """The status's label, as ``Breach.get_status_display`` gives it."""
        return str(dict(Breach.Status.choices).get(self.status, self.status))


# The columns of a ``ListedBreach`` in its order, its three related rows by their keys.
_BREACH_COLUMNS = (
    "pk",
    "status",
    "severity",
    "record_date",
    "reason",
    "legal_basis",
    "publicity_max_until",
    "source_kind",
    "category_id",
    "rule_set_id",
    "department_id",
)


def _listed_breaches(breaches: QuerySet[Breach]) -> list[ListedBreach]:
    """The breaches as ``ListedBreach`` values; their categories, rule sets and departments
    read each once (three queries whatever the number of rows)."""
    rows = list(breaches.values_list(*_BREACH_COLUMNS))
    categories = BreachCategory.objects.in_bulk({row[8] for row in rows})
    rule_sets = RuleSet.objects.in_bulk({row[9] for row in rows})
    departments = Department.objects.in_bulk({row[10] for row in rows} - {None})
    departments[None] = None
    return [
        ListedBreach(*row[:8], categories[row[8]], rule_sets[row[9]], departments[row[10]])
        for row in rows
    ]


@dataclass
class ReportContent:
    """What a report lists: breaches, measures and black-list entries of the span."""

    subject: Subject
    span_from: date
    span_until: date
    penalties: list[ListedBreach] = field(default_factory=list)
    other_breaches: dict[str, list[ListedBreach]] = field(default_factory=dict)  # by category
    coercive: list[Measure] = field(default_factory=list)
    other_measures: list[Measure] = field(default_factory=list)
    lists: list[ListEntry] = field(default_factory=list)

    @property
    def entry_count(self) -> int:
        return (
            len(self.penalties)
            + sum(len(rows) for rows in self.other_breaches.values())
            + len(self.coercive)
            + len(self.other_measures)
            + len(self.lists)
        )

    def digest(self) -> str:
        """The SHA-256 of every listed row's state: a later difference means the record the
        report showed has changed (a repair, a revocation, a new record in the span)."""
        rows = []
        for breach in [*self.penalties, *(b for rs in self.other_breaches.values() for b in rs)]:
            rows.append(
                [
                    "breach",
                    breach.pk,
                    breach.status,
                    breach.category_id,
                    breach.severity,
                    breach.rule_set_id,
                    breach.reason,
                    breach.legal_basis,
                    breach.publicity_max_until.isoformat(),
                ]
            )
        for measure in [*self.coercive, *self.other_measures]:
            rows.append(
                ["measure", measure.pk, measure.status, str(measure.ends_on), str(measure.ended_on)]
            )
        for entry in self.lists:
            rows.append(
                ["list", entry.pk, entry.status, str(entry.entered_on), str(entry.exited_on)]
            )
        payload = json.dumps(sorted(rows, key=lambda r: (r[0], r[1])), ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def report_content(*, subject: Subject, span_from: date, span_until: date) -> ReportContent:
    """Everything a report over ``span_from``..``span_until`` (both included) lists: a fixed
    number of queries whatever the number of records. The rows' categories, rule sets,
    departments, measure types and lists are fetched each once, not joined into every row: a
    long listing repeats a handful of them, and each joined copy is a model instance of its
    own to build. The breaches, the rows a long record has by the hundred, are read as values
    (``ListedBreach``)."""
    content = ReportContent(subject=subject, span_from=span_from, span_until=span_until)
    breaches = (
        Breach.objects.filter(
            subject=subject, record_date__gte=span_from, record_date__lte=span_until
        )
        .exclude(status=Breach.Status.REVOKED)
        .order_by("record_date", "pk")
    )
    for breach in _listed_breaches(breaches):
        if breach.source_kind == BreachSourceKind.PENALTY_DECISION:
            content.penalties.append(breach)
        else:
            content.other_breaches.setdefault(breach.category.code, []).append(breach)
    measures = (
        Measure.objects.filter(subject=subject, starts_on__gte=span_from, starts_on__lte=span_until)
        .exclude(status=Measure.Status.REVOKED)
        .prefetch_related("measure_type", "breach__rule_set")
        .order_by("starts_on", "pk")
    )
    for measure in measures:
        if measure.measure_type.kind in COERCIVE_KINDS:
            content.coercive.append(measure)
        else:
            content.other_measures.append(measure)
    content.lists = list(
        ListEntry.objects.filter(
            subject=subject,
            credit_list__kind=CreditList.Kind.BLACK,
            entered_on__isnull=False,
            entered_on__lte=span_until,
        )
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=span_from))
        .exclude(status=ListEntry.Status.REVOKED)
        .prefetch_related("credit_list", "breach__rule_set")
        .order_by("entered_on", "pk")
    )
    return content


def report_subjects(*, user: AbstractBaseUser) -> QuerySet[Subject]:
    """The subjects ``user`` may request reports for: those it provenly represents now, as
    legal representative or as an agent a representative authorised."""
    return directory_selectors.subject_list(represented_by=user).order_by("name")


def report_list(*, user: AbstractBaseUser) -> QuerySet[CreditReport]:
    """The reports of every subject ``user`` represents now, newest first."""
    return CreditReport.objects.filter(
        subject__in=directory_selectors.subject_list(represented_by=user)
    ).select_related("subject", "requested_by", "document")


def report_get_own(*, user: AbstractBaseUser, reference: str) -> CreditReport | None:
    """The report if ``user`` represents its subject now, else None (nobody learns more)."""
    return report_list(user=user).filter(reference=reference).first()


def report_get(*, reference: str) -> CreditReport | None:
    return (
        CreditReport.objects.filter(reference=str(reference).strip().upper()[:40])
        .select_related("subject", "document")
        .first()
    )
