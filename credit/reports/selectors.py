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

from credit.record.models.breaches import Breach, BreachSourceKind, ListEntry, Measure
from credit.record.models.rules import CreditList, MeasureType
from credit.reports.models import CreditReport
from directory import selectors as directory_selectors
from directory.models import Subject

PENALTIES = "penalties"
COERCIVE = "coercive"
LISTS = "serious_dishonesty_lists"
OTHER_MEASURES = "other_measures"
COERCIVE_KINDS = (MeasureType.Kind.REVOKE_APPROVAL, MeasureType.Kind.JOINT_MEASURE)


@dataclass
class ReportContent:
    """What a report lists: breaches, measures and black-list entries of the span."""

    subject: Subject
    span_from: date
    span_until: date
    penalties: list[Breach] = field(default_factory=list)
    other_breaches: dict[str, list[Breach]] = field(default_factory=dict)  # by category code
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
    departments, measure types and lists are fetched each once (``prefetch_related``), not
    joined into every row: a long listing repeats a handful of them, and each joined copy is
    a model instance of its own to build."""
    content = ReportContent(subject=subject, span_from=span_from, span_until=span_until)
    breaches = (
        Breach.objects.filter(
            subject=subject, record_date__gte=span_from, record_date__lte=span_until
        )
        .exclude(status=Breach.Status.REVOKED)
        .prefetch_related("category", "rule_set", "department")
        .order_by("record_date", "pk")
    )
    for breach in breaches:
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
